import { build } from 'esbuild';
const r = await build({ entryPoints: [process.argv[2]], bundle: true, platform: 'node', format: 'esm', target: 'node22', minify: true, metafile: true, write: false, outfile: '/tmp/out.mjs', logLevel: 'error', mainFields: ['module','main'] });
console.log('total', r.outputFiles[0].contents.length);
const inputs = Object.entries(Object.values(r.metafile.outputs)[0].inputs).sort((a,b)=>b[1].bytesInOutput-a[1].bytesInOutput).slice(0,+process.argv[3]||25);
for (const [p,v] of inputs) console.log(v.bytesInOutput, p.replace(/.*node_modules\//,''));
