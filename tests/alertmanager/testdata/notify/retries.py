#!/usr/bin/env python3
"""Shows which HTTP answers the real Alertmanager 0.25 retries, and its error
messages: a recorder on 127.0.0.1 answers each receiver's path with a fixed
status (429, 400, 404, 403, 500), Alertmanager gets one alert routed to all of
them, and the "Notify" lines of its log are printed. A retried failure logs
"Notify attempt failed, will retry later"; a permanent one "notify retry
canceled due to unrecoverable error after 1 attempts". retries.txt is the
output of one run: python3 retries.py > retries.txt
"""
import http.server, socketserver, threading, json, subprocess, time, urllib.request, socket, os, sys, shutil, tempfile
def free():
    s=socket.socket(); s.bind(("127.0.0.1",0)); p=s.getsockname()[1]; s.close(); return p
CODES={"/webhook429":429,"/webhook400":400,"/slack429":429,"/slack404":404,"/pd2-429":429,"/pd2-403":403,"/pd2-400":400,"/webhook500":500}
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n=int(self.headers.get("Content-Length","0")); self.rfile.read(n)
        code=CODES.get(self.path,200)
        body=b'{"status":"invalid event","message":"Event object is invalid","errors":["bad key"]}' if self.path=="/pd2-400" else b"nope body"
        self.send_response(code); self.send_header("Content-Length",str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self,*a): pass
class TS(socketserver.ThreadingMixIn, socketserver.TCPServer): daemon_threads=True; allow_reuse_address=True
hp=free(); amp=free()
srv=TS(("127.0.0.1",hp),H); threading.Thread(target=srv.serve_forever,daemon=True).start()
work=tempfile.mkdtemp()
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
