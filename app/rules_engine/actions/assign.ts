/**
 * Sets an element named by a FHIR-style path (`Patient.active`,
 * `Observation.valueQuantity.unit`, `Patient.name[0].use`) on a resource,
 * creating the objects on the way. The first segment is the resource type.
 */
export function assignPath(resource: Record<string, any>, path: string, value: unknown) {
  const segments = path.split('.').slice(1)
  if (segments.length === 0) {
    throw new Error(`"${path}" names no element to assign`)
  }
  let node: any = resource
  segments.forEach((segment, index) => {
    const [, name, position] = segment.match(/^([A-Za-z_][\w-]*)(?:\[(\d+)\])?$/) ?? []
    if (!name) {
      throw new Error(`"${path}" is not an element path`)
    }
    const last = index === segments.length - 1
    if (position === undefined) {
      if (last) {
        node[name] = value
      } else {
        node[name] ??= {}
        node = node[name]
      }
      return
    }
    node[name] ??= []
    const at = Number(position)
    if (last) {
      node[name][at] = value
    } else {
      node[name][at] ??= {}
      node = node[name][at]
    }
  })
}
