/**
 * Where fact providers read the local store. The engine never queries the
 * database itself: on a node it reads through the clinical store (inside the
 * save's transaction), in a pack's tests from the resources the test gives.
 */
export interface FactSource {
  /** A resource by literal reference (`Patient/123`), or undefined when unknown or deleted. */
  resolve(reference: string): Promise<Record<string, any> | undefined>
  /** Live resources of a type that belong to a patient (its compartment). */
  forPatient(type: string, patientId: string): Promise<Record<string, any>[]>
  /** Live resources of a type carrying the identifier `system|value`. */
  withIdentifier(type: string, system: string, value: string): Promise<Record<string, any>[]>
}

/** A fact source over a fixed set of resources: pack tests and previews. */
export class MemoryFactSource implements FactSource {
  constructor(protected resources: Record<string, any>[]) {}

  async resolve(reference: string) {
    const [type, id] = reference.split('/')
    return this.resources.find((resource) => resource.resourceType === type && resource.id === id)
  }

  async forPatient(type: string, patientId: string) {
    return this.resources.filter(
      (resource) => resource.resourceType === type && patientOf(resource) === patientId
    )
  }

  async withIdentifier(type: string, system: string, value: string) {
    return this.resources.filter(
      (resource) =>
        resource.resourceType === type &&
        (resource.identifier ?? []).some(
          (identifier: any) => identifier.system === system && identifier.value === value
        )
    )
  }
}

/** The id of the Patient a resource belongs to, from its `patient` or `subject` reference. */
export function patientOf(resource: Record<string, any>): string | undefined {
  if (resource.resourceType === 'Patient') {
    return resource.id
  }
  const reference: unknown = resource.patient?.reference ?? resource.subject?.reference
  if (typeof reference === 'string' && reference.startsWith('Patient/')) {
    return reference.slice('Patient/'.length).split('/')[0]
  }
  return undefined
}
