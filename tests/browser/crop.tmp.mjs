import { chromium } from 'playwright-core';
import fs from 'node:fs';
const [file, out, top, height, width] = process.argv.slice(2);
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox'] });
const p = await b.newPage({ viewport: { width: Number(width ?? 360), height: Number(height) } });
const data = fs.readFileSync(file).toString('base64');
await p.setContent(`<body style="margin:0;overflow:hidden"><img id=i style="display:block;margin-top:-${top}px" src="data:image/png;base64,${data}"></body>`);
await p.screenshot({ path: out });
await b.close();
