import { configApp } from '@adonisjs/eslint-config'

export default configApp({
  ignores: ['build/**', 'storage/**', 'node_modules/**', 'edge/**/node_modules/**'],
})
