/**
 * What an edge receives (DESIGN.md section 5, docs/sync.md): shared
 * reference data (resources outside any Patient compartment: facilities,
 * locations, practitioners...) and the records of patients who belong to its
 * facilities or to facilities under them (`Organization.partOf`). A null
 * `facilityIds` is the whole dataset (an API client with the `device` scope,
 * configured by hand). `resourceTypes`, when given, narrows what is sent.
 */
export interface Subscription {
  facilityIds: string[] | null
  resourceTypes: string[] | null
}

export class SubscriptionError extends Error {
  readonly code = 'E_SUBSCRIPTION_INVALID'
}

/**
 * A device's subscription from its facilities and the optional JSON an
 * administrator gave when creating it, such as `{"resourceTypes":["Patient"]}`.
 */
export function subscriptionOf(device: {
  facilityIds: string[]
  subscription: string | null | undefined
}): Subscription {
  const options = parseOptions(device.subscription)
  return {
    facilityIds: device.facilityIds,
    resourceTypes: options.resourceTypes ?? null,
  }
}

export function parseOptions(text: string | null | undefined): { resourceTypes?: string[] } {
  if (text === null || text === undefined || text.trim() === '') {
    return {}
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new SubscriptionError(
      'A subscription is JSON such as {"resourceTypes":["Patient","Immunization"]}'
    )
  }
  const types = (parsed as { resourceTypes?: unknown })?.resourceTypes
  if (types === undefined) {
    return {}
  }
  if (
    !Array.isArray(types) ||
    types.length === 0 ||
    !types.every((type) => typeof type === 'string' && /^[A-Z][A-Za-z]{1,63}$/.test(type))
  ) {
    throw new SubscriptionError('subscription.resourceTypes must be a list of FHIR resource types')
  }
  return { resourceTypes: types }
}
