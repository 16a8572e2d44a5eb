#!/usr/bin/env python3
"""Shows which HTTP answers the real Alertmanager 0.25 retries, and its error
messages: a recorder on 127.0.0.1 answers each receiver's path with a fixed
status (429, 400, 404, 403, 500; PagerDuty v1 through a local proxy that
answers for events.pagerduty.com, as in capture.py), Alertmanager gets one alert routed to all of
them, and the "Notify" lines of its log are printed. A retried failure logs
"Notify attempt failed, will retry later"; a permanent one "notify retry
canceled due to unrecoverable error after 1 attempts". retries.txt is the
output of one run: python3 retries.py > retries.txt
"""
import ssl
import http.server, socketserver, threading, json, subprocess, time, urllib.request, socket, os, sys, shutil, tempfile
def free():
    s=socket.socket(); s.bind(("127.0.0.1",0)); p=s.getsockname()[1]; s.close(); return p
CODES={"/webhook429":429,"/webhook400":400,"/slack429":429,"/slack404":404,"/pd2-429":429,"/pd2-403":403,"/pd2-400":400,"/webhook500":500}
TLS_CTX=None
class H(http.server.BaseHTTPRequestHandler):
    def do_CONNECT(self):
        # PagerDuty v1 always goes to events.pagerduty.com: answered here
        # through the proxy, with a certificate from a throw-away CA.
        self.send_response(200, "Connection established"); self.end_headers(); self.wfile.flush()
        conn=TLS_CTX.wrap_socket(self.connection, server_side=True)
        self.connection=conn; self.rfile=conn.makefile("rb"); self.wfile=conn.makefile("wb")
        self.close_connection=False; self.handle_one_request(); self.wfile.flush(); self.close_connection=True
    def do_POST(self):
        n=int(self.headers.get("Content-Length","0")); raw=self.rfile.read(n)
        code=CODES.get(self.path,200)
        if self.path.startswith("/generic/"):
            code=int(json.loads(raw)["service_key"][3:])
        body=b'{"status":"invalid event","message":"Event object is invalid","errors":["bad key"]}' if self.path=="/pd2-400" else b"nope body"
        self.send_response(code); self.send_header("Content-Length",str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self,*a): pass
class TS(socketserver.ThreadingMixIn, socketserver.TCPServer): daemon_threads=True; allow_reuse_address=True
hp=free(); amp=free()
srv=TS(("127.0.0.1",hp),H); threading.Thread(target=srv.serve_forever,daemon=True).start()
work=tempfile.mkdtemp()
def run(*a): subprocess.run(a,check=True,cwd=work,stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL)
run("openssl","req","-x509","-newkey","rsa:2048","-nodes","-keyout","ca.key","-out","ca.crt","-days","2","-subj","/CN=retries-ca")
run("openssl","req","-newkey","rsa:2048","-nodes","-keyout","srv.key","-out","srv.csr","-subj","/CN=events.pagerduty.com")
open(work+"/ext.cnf","w").write("subjectAltName=DNS:events.pagerduty.com\n")
run("openssl","x509","-req","-in","srv.csr","-CA","ca.crt","-CAkey","ca.key","-CAcreateserial","-out","srv.crt","-days","2","-extfile","ext.cnf")
TLS_CTX=ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); TLS_CTX.load_cert_chain(work+"/srv.crt",work+"/srv.key")
recv=""
names=[]
for path in CODES:
    nm=path.strip("/").replace("-","")
    names.append(nm)
    kind = "webhook" if "webhook" in path else "slack" if "slack" in path else "pd2"
    if kind=="webhook": c="    webhook_configs:\n      - url: http://127.0.0.1:%d%s\n"%(hp,path)
    elif kind=="slack": c="    slack_configs:\n      - api_url: http://127.0.0.1:%d%s\n        channel: '#c'\n"%(hp,path)
    else: c="    pagerduty_configs:\n      - routing_key: rk\n        url: http://127.0.0.1:%d%s\n"%(hp,path)
    recv+="  - name: %s\n%s"%(nm,c)
for code in (403, 429, 400):
    nm="pd1%d"%code
    names.append(nm)
    recv+="  - name: %s\n    pagerduty_configs:\n      - service_key: sk-%d\n        http_config:\n          proxy_url: http://127.0.0.1:%d\n          tls_config:\n            ca_file: %s/ca.crt\n"%(nm,code,hp,work)
routes="".join("    - receiver: %s\n      continue: true\n      matchers: [ 'x=\"1\"' ]\n"%n for n in names)
cfg="""route:
  receiver: %s
  group_wait: 1s
  group_interval: 1m
  routes:
%sreceivers:
%s"""%(names[0],routes,recv)
open(work+"/c.yml","w").write(cfg)
log=open(work+"/log","w")
p=subprocess.Popen(["/usr/bin/prometheus-alertmanager","--config.file="+work+"/c.yml","--storage.path="+work+"/d","--web.listen-address=127.0.0.1:%d"%amp,"--cluster.listen-address="],stdout=log,stderr=log)
for _ in range(100):
    try: urllib.request.urlopen("http://127.0.0.1:%d/-/ready"%amp,timeout=1); break
    except Exception: time.sleep(0.1)
req=urllib.request.Request("http://127.0.0.1:%d/api/v2/alerts"%amp,data=json.dumps([{"labels":{"alertname":"A","x":"1"}}]).encode(),headers={"Content-Type":"application/json"},method="POST")
urllib.request.urlopen(req).read()
time.sleep(5)
p.terminate(); p.wait()
for l in open(work+"/log"):
    if "Notify" in l: print(l.strip()[:400])
shutil.rmtree(work)
