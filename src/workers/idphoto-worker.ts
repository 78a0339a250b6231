/** Worker entry of the ID-photo pool: each thread loads the face detector and the matting engines once, on first use. */
import { workerData } from 'node:worker_threads';
import { engineLoader } from '../idphoto/engine-loader.js';
import { makeCutout, makeIdPhoto, makeSheet } from '../idphoto/make.js';
import { createModels } from '../idphoto/models.js';
import type { IdPhotoTasks, IdPhotoWorkerData } from './idphoto-tasks.js';
import { serveTasks } from './thread.js';

const { limits, device, isnetProfile } = workerData as IdPhotoWorkerData;
const models = createModels(engineLoader({ device, isnetProfile }), device);

export default serveTasks<IdPhotoTasks>({
  photo: (task) => makeIdPhoto(task.bytes, task.options, models, limits, task.mode),
  cutout: (task) => makeCutout(task.bytes, task.engine, models, limits),
  sheet: (task) => makeSheet(task.uploads, task.size, task.request, limits),
});
