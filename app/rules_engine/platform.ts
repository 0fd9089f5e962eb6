import { FactRegistry } from '#rules_engine/fact_registry'
import { CUSTOM_OPERATORS } from '#rules_engine/operators/operator_registry'
import { PackLoader, type LoadedPack } from '#rules_engine/pack_loader'
import { RulePackError } from '#rules_engine/pack_errors'
import { stat } from 'node:fs/promises'

/**
 * A pack loader that knows exactly the facts and operators this platform
 * version provides: what a pack may name to be accepted here.
 */
export function platformPackLoader(facts = new FactRegistry()) {
  return new PackLoader({ facts: facts.ids(), operators: Object.keys(CUSTOM_OPERATORS) })
}

/** Packs from files and folders, as the command line names them. */
export async function loadPackPaths(loader: PackLoader, paths: string[]) {
  const packs: LoadedPack[] = []
  const failures: RulePackError[] = []
  for (const path of paths) {
    const entry = await stat(path).catch(() => null)
    if (!entry) {
      failures.push(RulePackError.of('E_PACK_READ', '', 'No such file or folder', path))
    } else if (entry.isDirectory()) {
      const found = await loader.loadDirectory(path)
      packs.push(...found.packs)
      failures.push(...found.failures)
    } else {
      try {
        packs.push({ source: path, pack: await loader.loadFile(path) })
      } catch (error) {
        if (!(error instanceof RulePackError)) {
          throw error
        }
        failures.push(error)
      }
    }
  }
  return { packs, failures }
}
