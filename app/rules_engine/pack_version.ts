/**
 * Semantic version precedence: numbers compared numerically, a pre-release below its
 * release, build metadata ignored.
 * @see https://semver.org/#spec-item-11
 */
export function compareVersions(a: string, b: string): number {
  const [coreA, preA] = a.split('+')[0].split(/-(.*)/s)
  const [coreB, preB] = b.split('+')[0].split(/-(.*)/s)
  const core = compareIdentifiers(coreA.split('.'), coreB.split('.'))
  if (core !== 0 || preA === preB) {
    return core
  }
  if (preA === undefined || preB === undefined) {
    return preA === undefined ? 1 : -1
  }
  return compareIdentifiers(preA.split('.'), preB.split('.'))
}

function compareIdentifiers(a: string[], b: string[]): number {
  for (let index = 0; index < Math.max(a.length, b.length); index++) {
    if (a[index] === undefined || b[index] === undefined) {
      return a[index] === undefined ? -1 : 1
    }
    const [numberA, numberB] = [Number(a[index]), Number(b[index])]
    const numeric = /^\d+$/.test(a[index]) && /^\d+$/.test(b[index])
    if (numeric && numberA !== numberB) {
      return numberA < numberB ? -1 : 1
    }
    if (!numeric && a[index] !== b[index]) {
      return a[index] < b[index] ? -1 : 1
    }
  }
  return 0
}
