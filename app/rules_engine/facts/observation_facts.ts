import { defineFact } from '#rules_engine/fact_provider'

type UnitKind = 'mass' | 'length' | 'temperature'

/**
 * UCUM units the platform converts between, by kind. Each unit is
 * `factor * value + offset` in the kind's base unit (g, m, K).
 * @see https://ucum.org/ucum (the codes are case-sensitive)
 */
const UNITS = new Map<string, { kind: UnitKind; factor: number; offset?: number }>([
  ['g', { kind: 'mass', factor: 1 }],
  ['kg', { kind: 'mass', factor: 1000 }],
  ['mg', { kind: 'mass', factor: 0.001 }],
  ['[lb_av]', { kind: 'mass', factor: 453.59237 }],
  ['[oz_av]', { kind: 'mass', factor: 28.349523125 }],
  ['m', { kind: 'length', factor: 1 }],
  ['cm', { kind: 'length', factor: 0.01 }],
  ['mm', { kind: 'length', factor: 0.001 }],
  ['[in_i]', { kind: 'length', factor: 0.0254 }],
  ['[ft_i]', { kind: 'length', factor: 0.3048 }],
  ['K', { kind: 'temperature', factor: 1 }],
  ['Cel', { kind: 'temperature', factor: 1, offset: 273.15 }],
  ['[degF]', { kind: 'temperature', factor: 5 / 9, offset: 273.15 - (32 * 5) / 9 }],
])

/**
 * `quantity` (a FHIR Quantity) converted to the UCUM unit `unit`, or null
 * when it has no numeric value, its unit is not one of UNITS, or it
 * measures another kind of thing (a mass asked for in cm). The unit is read
 * from `code`, or from `unit` when there is no code; `system` is not
 * consulted, so a pack's rule on the unit code decides what is acceptable.
 */
export function convertQuantity(quantity: unknown, unit: unknown): number | null {
  if (!quantity || typeof quantity !== 'object' || typeof unit !== 'string') {
    return null
  }
  const { value, code, unit: text } = quantity as Record<string, unknown>
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return null
  }
  const from = UNITS.get(typeof code === 'string' ? code : typeof text === 'string' ? text : '')
  const to = UNITS.get(unit)
  if (!from || !to || from.kind !== to.kind) {
    return null
  }
  const base = value * from.factor + (from.offset ?? 0)
  // Rounded to 1e-6 so that 145 mm is 14.5 cm, not 14.499999999999998, at a limit of 14.5.
  return Math.round(((base - (to.offset ?? 0)) / to.factor) * 1e6) / 1e6
}

/**
 * The resource's `valueQuantity` in the UCUM unit `params.unit`, so that a
 * pack's limits, kept in one unit, apply to values recorded in any unit of
 * the same kind: `{ "fact": "quantityValue", "params": { "unit": "kg" } }`
 * is 7.5 for 7500 g or for 16.53 [lb_av]. Null without a numeric value, or
 * when the recorded unit cannot be converted (a rule on the unit flags it).
 */
export const quantityValueFact = defineFact({
  id: 'quantityValue',
  description:
    "the resource's valueQuantity converted to UCUM unit `unit` (kg, g, [lb_av], cm, m, mm, [in_i], Cel, [degF], K...); null without a number or when its unit cannot be converted",
  compute: (params, { resource }) => convertQuantity(resource.valueQuantity, params.unit),
})
