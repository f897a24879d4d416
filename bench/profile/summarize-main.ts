// `tsx bench/profile/summarize-main.ts FILE.cpuprofile [top]`: prints the profile's summary as Markdown.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { renderProfileSummary, summarizeCpuProfile, type CpuProfile } from './summarize-cpu-profile.js';

const [file, top] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: tsx bench/profile/summarize-main.ts FILE.cpuprofile [top]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
process.stdout.write(`${renderProfileSummary(summarizeCpuProfile(profile, process.cwd(), top ? Number(top) : 25), basename(file))}\n`);
