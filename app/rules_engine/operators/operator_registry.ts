import { CODE_OPERATORS } from '#rules_engine/operators/code_operators'
import { DATE_OPERATORS } from '#rules_engine/operators/date_operators'
import { PRESENCE_OPERATORS } from '#rules_engine/operators/presence_operators'

export type OperatorFunction = (factValue: unknown, jsonValue: unknown) => boolean

/** Outpost's operators, beside json-rules-engine's built-in ones. */
export const CUSTOM_OPERATORS: Readonly<Record<string, OperatorFunction>> = {
  ...DATE_OPERATORS,
  ...CODE_OPERATORS,
  ...PRESENCE_OPERATORS,
}
