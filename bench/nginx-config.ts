// The nginx floor's configuration: one worker, keep-alive to the upstream, no access log, no
// response buffering (so server-sent events pass through as they come), and a fixed bearer check so
// it does the same work as the Node floor. Every path nginx writes to lives in `dir`.

export interface NginxConfigOptions {
  dir: string;
  port: number;
  upstreamHost: string;
  upstreamPort: number;
  bearer: string;
}

export function renderNginxConfig({ dir, port, upstreamHost, upstreamPort, bearer }: NginxConfigOptions): string {
  return `daemon off;
master_process on;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  # The load generator keeps its connections for the whole run; nginx's default of 1000 requests
  # per connection would add reconnects that no other target pays.
  keepalive_requests 10000000;
  keepalive_timeout 60s;
  upstream mock {
    server ${upstreamHost}:${upstreamPort};
    keepalive 256;
    keepalive_requests 10000000;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      if ($http_authorization != "Bearer ${bearer}") { return 401; }
      proxy_pass http://mock;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Authorization "";
      proxy_buffering off;
    }
  }
}
`;
}
