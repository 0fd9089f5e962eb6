/*
|--------------------------------------------------------------------------
| Clinic pages (gateway, desktop, android, portal)
|--------------------------------------------------------------------------
|
| Patient search and registration, the chart, vitals and immunizations.
| Reads and writes go through the ClinicalRepository and the save pipeline.
|
*/

import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const PatientsController = () => import('#controllers/clinic/patients_controller')
const ChartsController = () => import('#controllers/clinic/charts_controller')
const VitalsController = () => import('#controllers/clinic/vitals_controller')
const ImmunizationsController = () => import('#controllers/clinic/immunizations_controller')

router
  .group(() => {
    router.get('/patients', [PatientsController, 'index']).as('patients.index')
    router.get('/patients/new', [PatientsController, 'create']).as('patients.create')
    router.post('/patients', [PatientsController, 'store']).as('patients.store')
    router.get('/patients/:id', [ChartsController, 'show']).as('patients.show')
    router.get('/patients/:id/vitals/new', [VitalsController, 'create']).as('vitals.create')
    router.post('/patients/:id/vitals', [VitalsController, 'store']).as('vitals.store')
    router
      .get('/patients/:id/immunizations/new', [ImmunizationsController, 'create'])
      .as('immunizations.create')
    router
      .post('/patients/:id/immunizations', [ImmunizationsController, 'store'])
      .as('immunizations.store')
    router
      .post('/patients/:id/alerts/:alertId/acknowledge', [ChartsController, 'acknowledge'])
      .as('alerts.acknowledge')
  })
  .prefix('/clinic')
  .as('clinic')
  .use(middleware.page())
