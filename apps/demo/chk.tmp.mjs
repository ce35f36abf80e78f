import { chromium } from 'playwright-core';
import { startServer } from './scripts/server.mjs';
const s = await startServer({ dist: 'dist', exportDir: '/tmp/demo-m/web' });
const extra = process.argv.slice(2);
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--disable-background-networking','--disable-component-update','--disable-sync', ...extra] });
const p = await b.newPage();
p.on('console', (m) => console.log('console:', m.text().slice(0, 300)));
const t = Date.now();
await p.goto(s.url + '?backend=webgpu');
await p.waitForSelector('body[data-ready]', { timeout: 120000 });
console.log(await p.getAttribute('body','data-ready'), await p.textContent('#backend'), await p.textContent('#fatal'), Date.now() - t, 'ms');
if (await p.getAttribute('body','data-ready') === 'true') {
await p.click('#explain');
await p.waitForSelector('#heatmap', { timeout: 120000 });
console.log(JSON.stringify(await p.$$eval('#heatmap .cell', (ns) => ns.map((n) => Number(n.getAttribute('data-value')).toFixed(3)))), Date.now() - t);
}
await b.close(); await s.close();
