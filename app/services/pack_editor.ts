import { inject } from '@adonisjs/core'
import {
  jsonPositions,
  positionInParseError,
  positionOf,
  type TextPosition,
} from '#rules_engine/json_positions'
import type { PackProblem } from '#rules_engine/pack_errors'
import type { RulePack } from '#rules_engine/pack_types'
import { compareVersions } from '#rules_engine/pack_version'
import { PackAuthoringService } from '#services/pack_authoring_service'

/** A problem of pack text, placed where an editor can underline it. */
export interface LocatedProblem {
  code: string
  path: string
  message: string
  line: number | null
  column: number | null
}

/**
 * What the pack editor page needs around the authoring workflow: every problem of the
 * text with its line and column, and the text a new draft starts from.
 */
@inject()
export class PackEditorService {
  constructor(protected authoring: PackAuthoringService) {}

  /** The problems of pack text, each with where it is; none when it would be accepted. */
  check(text: string): LocatedProblem[] {
    return locate(text, this.authoring.validate(text))
  }

  /**
   * The text a new draft of a version starts from: the draft itself, or a published
   * version as a draft one patch version above the highest version of the pack.
   */
  async draftText(id: string, version: string): Promise<string> {
    const { pack, status } = await this.authoring.find(id, version)
    if (status === 'draft') {
      return pretty(pack)
    }
    const packs = await this.authoring.list()
    const summary = packs.find((entry) => entry.id === id)
    const highest =
      summary?.versions
        .map((each) => each.version)
        .sort(compareVersions)
        .at(-1) ?? version
    return pretty({ ...pack, version: nextPatch(highest), status: 'draft' })
  }
}

/** Places problems in the text; JSON syntax errors carry their place in their message. */
export function locate(
  text: string,
  problems: (Pick<PackProblem, 'path' | 'message'> & { code?: string })[],
  fallbackCode = 'E_PACK_SCHEMA'
): LocatedProblem[] {
  const positions = problems.some((problem) => problem.code !== 'E_PACK_JSON')
    ? jsonPositions(text)
    : new Map<string, TextPosition>()
  return problems.map((problem) => {
    const at =
      problem.code === 'E_PACK_JSON'
        ? positionInParseError(problem.message)
        : positionOf(positions, problem.path)
    return {
      code: problem.code ?? fallbackCode,
      path: problem.path,
      message: problem.message,
      line: at?.line ?? null,
      column: at?.column ?? null,
    }
  })
}

/** `1.4.2` -> `1.4.3`; a pre-release `1.5.0-rc.1` -> its release `1.5.0`. */
export function nextPatch(version: string): string {
  const [core, pre] = version.split('+')[0].split(/-(.*)/s)
  const [major, minor, patch] = core.split('.').map(Number)
  return pre === undefined ? `${major}.${minor}.${patch + 1}` : `${major}.${minor}.${patch}`
}

function pretty(pack: RulePack) {
  return `${JSON.stringify(pack, null, 2)}\n`
}
