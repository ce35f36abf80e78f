// Loaded into DataLoader worker threads by the ENOSPC test (workerImports): log-mel cache
// writes go to /dev/full, which answers every write with a real ENOSPC from the kernel.
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

const real = fs.promises.writeFile;
fs.promises.writeFile = (file, ...rest) =>
  real(/\.lmel\.tmp-/.test(String(file)) ? '/dev/full' : file, ...rest);
syncBuiltinESMExports();
