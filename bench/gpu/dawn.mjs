// Sets navigator.gpu from the `webgpu` package (Dawn) before tfjs-backend-webgpu is imported: the
// backend registers itself only when navigator.gpu exists at import time. Imported first.
import { create, globals } from 'webgpu';

Object.assign(globalThis, globals);
Object.defineProperty(globalThis, 'navigator', {
  value: { gpu: create([]) },
  configurable: true,
  writable: true,
});
