import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { UserService } from '#services/user_service'
import { newPasswordValidator, newUserValidator } from '#validators/identity'

/** Local users on the iCDR; directory users appear after their first login. */
@inject()
export default class UsersController {
  constructor(protected users: UserService) {}

  index() {
    return this.users.list()
  }

  async store({ request, response }: HttpContext) {
    const user = await request.validateUsing(newUserValidator)
    await this.users.upsertLocal(user)
    return response.created({ username: user.username, roles: user.roles })
  }

  async password({ request, response, params }: HttpContext) {
    const { password } = await request.validateUsing(newPasswordValidator)
    const changed = await this.users.setPassword(params.username, password)
    return changed ? response.noContent() : notFound(response, params.username)
  }

  async deactivate({ response, params }: HttpContext) {
    const changed = await this.users.deactivate(params.username)
    return changed ? response.noContent() : notFound(response, params.username)
  }
}

function notFound(response: HttpContext['response'], username: string) {
  return response.notFound({
    error: { code: 'E_USER_NOT_FOUND', message: `No local user "${username}"` },
  })
}
