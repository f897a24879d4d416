// nginx as a reverse proxy (the C floor), when Debian's nginx is installed.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchTarget } from '../bench-target.js';
import { findExecutable } from '../find-executable.js';
import { freePort } from '../free-port.js';
import { renderNginxConfig } from '../nginx-config.js';
import { waitForPort } from '../wait-until-ready.js';

const NGINX_KEY = 'nginx-bench-key-0123456789abcdef';

export const nginxTarget: BenchTarget = {
  name: 'nginx',
  unavailableReason: () => (findExecutable('nginx') === undefined ? 'nginx not found on PATH (apt-get install nginx)' : undefined),
  async start({ upstreamUrl, workDir, spawn }) {
    const nginx = findExecutable('nginx');
    if (nginx === undefined) throw new Error('nginx not found');
    const upstream = new URL(upstreamUrl);
    const port = await freePort();
    // Started as root, nginx runs its worker as nobody, which must reach the temp paths.
    chmodSync(workDir, 0o755);
    const configPath = join(workDir, 'nginx.conf');
    writeFileSync(
      configPath,
      renderNginxConfig({ dir: workDir, port, upstreamHost: upstream.hostname, upstreamPort: Number(upstream.port), bearer: NGINX_KEY }),
    );
    // -e: the compiled-in error log (/var/log/nginx) may not be writable before the config is read.
    const proc = spawn(nginx, ['-p', workDir, '-e', join(workDir, 'error.log'), '-c', configPath]);
    await waitForPort(proc, port, 'nginx');
    return {
      url: `http://127.0.0.1:${port}/v1`,
      headers: { authorization: `Bearer ${NGINX_KEY}` },
      pid: proc.pid,
      stop: () => proc.stop(),
    };
  },
};
