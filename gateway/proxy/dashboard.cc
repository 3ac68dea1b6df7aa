#include "proxy/dashboard.h"

namespace cutover {

std::string_view dashboard_html() {
  static constexpr std::string_view kPage = R"html(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>cutover</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
 body{font:14px/1.4 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
 header{background:#1d2330;color:#fff;padding:10px 20px;display:flex;gap:16px;align-items:baseline}
 header h1{font-size:18px;margin:0} header span{opacity:.7}
 main{padding:16px 20px;display:grid;gap:16px}
 section{background:#fff;border:1px solid #dde1e8;border-radius:6px;padding:12px 16px}
 h2{font-size:16px;margin:0 0 8px} table{border-collapse:collapse;width:100%}
 th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eef0f4;vertical-align:top}
 th{font-weight:600;color:#555} .stage{font-weight:600;padding:2px 8px;border-radius:10px;background:#e8ecf3}
 .stage.legacy{background:#eee}.stage.shadow{background:#e6e0ff}.stage.canary{background:#fff0c2}.stage.new{background:#d4f5dc}
 button{font:inherit;padding:3px 10px;border:1px solid #aab;border-radius:4px;background:#fff;cursor:pointer}
 button:hover{background:#eef} .bad{color:#b00020;font-weight:600} .ok{color:#17803d}
 .diff{display:grid;grid-template-columns:1fr 1fr;gap:8px} pre{margin:0;white-space:pre-wrap;word-break:break-all;
 background:#f8f8fa;border:1px solid #eee;padding:6px;max-height:220px;overflow:auto;font-size:12px}
 mark{background:#ffd5d5} mark.n{background:#d5ffd9} .bar{height:8px;background:#e8ecf3;border-radius:4px;overflow:hidden;width:160px}
 .bar i{display:block;height:100%;background:#3b82f6} svg{vertical-align:middle} small{color:#667}
</style></head><body>
<header><h1>cutover</h1><span id="updated">connecting…</span><span id="err" class="bad"></span></header>
<main>
 <section><h2>Routes</h2><table id="routes"><thead><tr><th>route</th><th>stage</th><th>split</th><th>legacy</th>
 <th>new</th><th>compare</th><th>guards</th><th>move</th></tr></thead><tbody></tbody></table></section>
 <section><h2>Pools</h2><table id="pools"><thead><tr><th>pool</th><th>requests/s</th><th>errors/s</th><th>latency p99 (p50 / p99 now)</th>
 <th>backends</th></tr></thead><tbody></tbody></table></section>
 <section><h2>Sample differences</h2><div id="samples"><small>none yet</small></div></section>
 <section><h2>Events</h2><table id="events"><tbody></tbody></table></section>
</main>
<script>
"use strict";
let token = localStorage.getItem("cutover-token") || "";
const hist = {};  // pool -> [{t, req, fail}]
function esc(s){return String(s).replace(/[&<>"']/g,c=>({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;","'":"&#39;"}[c]));}
async function api(path, method){
  const r = await fetch(path,{method:method||"GET",headers:token?{Authorization:"Bearer "+token}:{}});
  if (r.status===401){token=prompt("admin token")||"";localStorage.setItem("cutover-token",token);throw new Error("admin token required");}
  return r.json();
}
// The upper bound of the bucket holding quantile q of one interval's counts (0 when idle).
function quantile(counts,bounds,q){
  const total=counts.reduce((a,b)=>a+b,0); if(!total) return 0;
  let seen=0; for(let i=0;i<counts.length;i++){seen+=counts[i]; if(seen>=total*q) return i<bounds.length?bounds[i]:bounds[bounds.length-1]*2;}
  return 0;
}
function spark(vals){
  if(!vals.length) return "";
  const w=120,h=24,max=Math.max(1,...vals);
  const pts=vals.map((v,i)=>(i*w/Math.max(1,vals.length-1)).toFixed(1)+","+(h-v/max*h).toFixed(1)).join(" ");
  return `<svg width="${w}" height="${h}"><polyline fill="none" stroke="#3b82f6" stroke-width="1.5" points="${pts}"/></svg>`;
}
// Marks where two texts first differ, on both sides.
function marked(a,b,cls){
  let i=0; while(i<a.length&&i<b.length&&a[i]===b[i]) i++;
  let j=0; while(j<a.length-i&&j<b.length-i&&a[a.length-1-j]===b[b.length-1-j]) j++;
  return esc(a.slice(0,i))+`<mark class="${cls}">`+esc(a.slice(i,a.length-j))+"</mark>"+esc(a.slice(a.length-j));
}
async function move(route, action, extra){
  try{ const r=await api(`/api/routes/${encodeURIComponent(route)}/${action}${extra||""}`,"POST");
       if(!r.ok) alert(r.error); }catch(e){ alert(e.message); }
  refresh();
}
function side(x){return `${x.answers} answers, <span class="${x["5xx"]?"bad":""}">${x["5xx"]} 5xx</span><br><small>p50 ${x.p50_ms<0?"-":x.p50_ms+"ms"} · p99 ${x.p99_ms<0?"-":x.p99_ms+"ms"}</small>`;}
async function refresh(){
  try{
    const [routes,status]=await Promise.all([api("/api/routes"),api("/api/status")]);
    const rows=[], samples=[], events=[];
    for(const r of routes.routes){
      const o=r.rollout;
      if(!o){rows.push(`<tr data-route="${esc(r.name)}"><td>${esc(r.name)}</td><td><small>no rollout</small></td><td colspan="6"><small>${esc(r.pool||"")}</small></td></tr>`);continue;}
      const share=o.stage==="new"?100:o.stage==="canary"?o.percent:0;
      const c=o.compare, g=o.guards;
      const guard=[g.max_error_rate>=0?`5xx ≤ ${g.max_error_rate}`:"",g.max_p99_ratio>=0?`p99 ≤ ${g.max_p99_ratio}×`:"",
                   g.max_diff_rate>=0?`diff ≤ ${g.max_diff_rate}`:""].filter(Boolean).join("<br>")||"<small>none</small>";
      rows.push(`<tr data-route="${esc(r.name)}"><td><b>${esc(r.name)}</b><br><small>${esc(o.from)} → ${esc(o.to)}</small></td>
        <td><span class="stage ${o.stage}" data-stage="${esc(o.describe)}">${esc(o.describe)}</span></td>
        <td><div class="bar"><i style="width:${share}%"></i></div><small>${100-share}% legacy · ${share}% new · sticky ${esc(o.sticky)}</small></td>
        <td>${side(o.legacy)}</td><td>${side(o.new)}</td>
        <td>${c.compared} compared<br><span class="ok">${c.equal} equal</span> · <span class="${c.different?"bad":""}">${c.different} different</span><br>
          <small>${c.candidate_errors} errors · ${c.dropped} dropped · ${c.skipped} skipped · ${c.over_rate} over ${c.max_rate||"∞"}/s</small></td>
        <td><small>${guard}<br>window ${g.window_s}s${g.auto_promote?" · auto-promote":""}</small></td>
        <td><button data-action="demote">◀ demote</button> <button data-action="promote">promote ▶</button>
          <button data-action="rollback">rollback</button></td></tr>`);
      for(const s of o.samples.slice(0,10)){
        samples.push(`<div class="sample"><p><b>${esc(r.name)}</b> ${esc(s.method)} ${esc(s.target)} — legacy ${s.status_legacy}, new ${s.status_new}
          <small>${new Date(s.time_ms).toLocaleTimeString()}</small></p>
          <table><tr><th>field</th><th>legacy</th><th>new</th></tr>${s.differences.map(d=>`<tr><td>${esc(d.field)}</td>
          <td><pre>${marked(d.legacy,d.new,"")}</pre></td><td><pre>${marked(d.new,d.legacy,"n")}</pre></td></tr>`).join("")}</table></div>`);
      }
      for(const e of o.events) events.push({t:e.time_ms,html:`<tr><td><small>${new Date(e.time_ms).toLocaleString()}</small></td><td>${esc(r.name)}</td><td>${esc(e.what)}</td></tr>`});
    }
    document.querySelector("#routes tbody").innerHTML=rows.join("");
    document.getElementById("samples").innerHTML=samples.join("")||"<small>none yet</small>";
    events.sort((a,b)=>b.t-a.t);
    document.querySelector("#events tbody").innerHTML=events.map(e=>e.html).join("")||"<tr><td><small>none yet</small></td></tr>";
    const now=Date.now(), prow=[];
    for(const p of status.pools){
      let req=0,fail=0; for(const b of p.backends){req+=b.requests;fail+=b.failures;}
      const h=(hist[p.name]=hist[p.name]||[]); h.push({t:now,req,fail,lat:p.latency_buckets}); if(h.length>60) h.shift();
      const rate=[],errs=[],p50=[],p99=[];
      for(let i=1;i<h.length;i++){
        const dt=(h[i].t-h[i-1].t)/1000||1;rate.push((h[i].req-h[i-1].req)/dt);errs.push((h[i].fail-h[i-1].fail)/dt);
        const d=h[i].lat.map((c,k)=>c-h[i-1].lat[k]);
        p50.push(quantile(d,p.latency_bounds_ms,0.5)); p99.push(quantile(d,p.latency_bounds_ms,0.99));
      }
      const last=v=>v.length?v[v.length-1].toFixed(1):"0";
      prow.push(`<tr><td><b>${esc(p.name)}</b><br><small>${esc(p.protocol)} · ${esc(p.balancer)}</small></td><td>${spark(rate)} ${last(rate)}</td>
        <td>${spark(errs)} ${last(errs)}</td><td>${spark(p99)} ${p50.length?last(p50)+" / "+last(p99)+" ms":(p.p50_ms<0?"-":p.p50_ms+" / "+p.p99_ms+" ms")}</td>
        <td><small>${p.backends.map(b=>`${esc(b.address)} <span class="${b.state==="up"?"ok":"bad"}">${esc(b.state)}</span>`).join("<br>")}</small></td></tr>`);
    }
    document.querySelector("#pools tbody").innerHTML=prow.join("");
    document.getElementById("updated").textContent="updated "+new Date().toLocaleTimeString();
    document.getElementById("err").textContent="";
  }catch(e){document.getElementById("err").textContent=e.message;}
}
document.getElementById("routes").addEventListener("click",ev=>{
  const b=ev.target.closest("button"); if(!b) return;
  move(b.closest("tr").dataset.route,b.dataset.action);
});
refresh(); setInterval(refresh,2000);
</script></body></html>
)html";
  return kPage;
}

}  // namespace cutover
