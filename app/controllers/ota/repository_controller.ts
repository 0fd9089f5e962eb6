import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { OtaRepositoryService } from '#services/ota_repository_service'

/**
 * The TUF repository as static files (DESIGN.md section 4): public, because every file
 * is signed or named by its hash, and edges trust the signatures, not this server.
 * Only `timestamp.json` changes in place; every other name is immutable, so caches and
 * mirrors may keep it for ever.
 */
@inject()
export default class RepositoryController {
  constructor(protected repository: OtaRepositoryService) {}

  metadata({ params, response }: HttpContext) {
    const file = this.repository.metadataFile(params.file)
    return file ? serve(response, file, params.file === 'timestamp.json') : response.notFound()
  }

  target({ params, response }: HttpContext) {
    const file = this.repository.targetFile(params.role, params.file)
    return file ? serve(response, file, false) : response.notFound()
  }
}

function serve(response: HttpContext['response'], file: string, changes: boolean) {
  response.header('Cache-Control', changes ? 'no-cache' : 'public, max-age=31536000, immutable')
  return response.download(file, true, () => ['Not found', 404])
}
