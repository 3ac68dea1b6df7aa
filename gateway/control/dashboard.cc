#include "control/dashboard.h"

namespace cutover {

std::string_view dashboard_html() {
  static constexpr std::string_view kPage = R"html(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>cutover</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
 body{font:14px/1.4 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
 header{background:#1d2330;color:#fff;padding:10px 20px;display:flex;gap:16px;align-items:baseline}
 header h1{font-size:18px;margin:0} header span{opacity:.7} [hidden]{display:none!important}
 tr.warn td{background:#fff4e5;border-left:4px solid #e08a00} .count{font-weight:600;background:#e8ecf3;border-radius:10px;padding:1px 8px}
 input{font:inherit;padding:3px 6px;border:1px solid #aab;border-radius:4px}
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
 <section id="login" hidden><h2>Admin token</h2><form id="login-form">
  <p><small>This admin listener has <code>server.admin_token</code> set. The token is kept in this browser's local storage.</small></p>
  <input type="password" id="token" name="token" autocomplete="current-password" placeholder="admin token" size="40">
  <button type="submit" id="sign-in">sign in</button> <span id="login-err" class="bad"></span></form></section>
 <section><h2>Routes</h2><table id="routes"><thead><tr><th>route</th><th>stage</th><th>split</th><th>legacy</th>
 <th>new</th><th>compare</th><th>guards</th><th>move</th></tr></thead><tbody></tbody></table></section>
 <section><h2>Pools</h2><table id="pools"><thead><tr><th>pool</th><th>requests/s</th><th>errors/s</th><th>latency p99 (p50 / p99 now)</th>
 <th>backends</th></tr></thead><tbody></tbody></table></section>
 <section><h2>Workers</h2><table id="workers"><thead><tr><th>pool</th><th>#</th><th>pid</th><th>address</th><th>state</th>
 <th>uptime</th><th>restarts</th><th>replaced</th><th>in flight</th><th>last error</th></tr></thead><tbody></tbody></table></section>
 <section><h2>Sample differences</h2><div id="samples"><small>none yet</small></div></section>
 <section><h2>Events</h2><table id="events"><thead><tr><th>when</th><th>route</th><th>what</th><th>by</th></tr></thead><tbody></tbody></table></section>
</main>
<script>
"use strict";
let token = localStorage.getItem("cutover-token") || "";
let signingIn = false;    // the token form is showing: no calls until it is submitted
let warnFor = null;       // {route, text}: a promote that waits for "promote anyway"
const last = {};          // route -> its latest rollout, for the promote warning
const hist = {};  // pool -> [{t, req, fail}]
function esc(s){return String(s).replace(/[&<>"']/g,c=>({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;","'":"&#39;"}[c]));}
class TokenNeeded extends Error {}
async function api(path, method){
  const headers={"X-Cutover-Actor":"dashboard"}; if(token) headers.Authorization="Bearer "+token;
  const r = await fetch(path,{method:method||"GET",headers});
  if (r.status===401) throw new TokenNeeded(token?"the admin token was refused":"");
  return r.json();
}
function askToken(why){
  signingIn=true;
  document.getElementById("login").hidden=false;
  document.getElementById("login-err").textContent=why;
  document.getElementById("token").focus();
}
document.getElementById("login-form").addEventListener("submit",ev=>{
  ev.preventDefault();
  token=document.getElementById("token").value.trim();
  localStorage.setItem("cutover-token",token);
  document.getElementById("login").hidden=true;
  signingIn=false; refresh();
});
function pct(x){return (Math.round(x*1000)/10)+"%";}
// Why promoting this route deserves a second look: its answers differ above its guard, or
// above half of those compared.
function promoteWarning(o){
  const c=o.compare; if(!c.compared) return "";
  const rate=c.different/c.compared, guard=o.guards.max_diff_rate;
  if(guard>=0&&rate>guard) return `${pct(rate)} of the ${c.compared} compared answers differ; the guard allows ${pct(guard)}.`;
  if(rate>0.5) return `${pct(rate)} of the ${c.compared} compared answers differ.`;
  return "";
}
function age(ms){const s=Math.floor(ms/1000);return s<120?s+"s":s<7200?Math.floor(s/60)+"m":s<172800?Math.floor(s/3600)+"h":Math.floor(s/86400)+"d";}
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
       document.getElementById("err").textContent=r.ok?"":r.error; }
  catch(e){ if(e instanceof TokenNeeded) askToken(e.message); else document.getElementById("err").textContent=e.message; }
  refresh();
}
async function restartPool(pool){
  try{ const r=await api(`/api/workers/${encodeURIComponent(pool)}/restart`,"POST");
       document.getElementById("err").textContent=r.restarting?"":r.error; }
  catch(e){ if(e instanceof TokenNeeded) askToken(e.message); else document.getElementById("err").textContent=e.message; }
  refresh();
}
function side(x){return `${x.answers} answers, <span class="${x["5xx"]?"bad":""}">${x["5xx"]} 5xx</span><br><small>p50 ${x.p50_ms<0?"-":x.p50_ms+"ms"} · p99 ${x.p99_ms<0?"-":x.p99_ms+"ms"}</small>`;}
async function refresh(){
  if(signingIn) return;
  try{
    const [routes,status,workers]=await Promise.all([api("/api/routes"),api("/api/status"),api("/api/workers")]);
    const rows=[], samples=[], events=[];
    for(const r of routes.routes){
      const o=r.rollout;
      if(o) last[r.name]=o;
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
      if(warnFor&&warnFor.route===r.name)
        rows.push(`<tr class="warn" data-warn="${esc(r.name)}"><td colspan="8">⚠ <b>${esc(r.name)}</b>: ${esc(warnFor.text)}
          Promote to ${esc(o.stage==="shadow"||o.stage==="legacy"?"the next stage":"a larger share")} anyway?
          <button data-action="promote-anyway">promote anyway</button> <button data-action="cancel">cancel</button></td></tr>`);
      for(const s of o.samples.slice(0,10)){
        const more=s.targets.length>=5&&s.count>s.targets.length?` <small>and others</small>`:"";  // only the first 5 are kept
        samples.push(`<div class="sample"><p><span class="count" title="answers that differed exactly so">×${s.count}</span>
          <b>${esc(r.name)}</b> ${esc(s.method)} ${esc(s.target)} — legacy ${s.status_legacy}, new ${s.status_new}
          <small>latest ${new Date(s.time_ms).toLocaleTimeString()}</small>
          ${s.targets.length>1?`<br><small>seen on: ${s.targets.map(esc).join(", ")}</small>${more}`:""}</p>
          <table><tr><th>field</th><th>legacy</th><th>new</th></tr>${s.differences.map(d=>`<tr><td>${esc(d.field)}</td>
          <td><pre>${marked(d.legacy,d.new,"")}</pre></td><td><pre>${marked(d.new,d.legacy,"n")}</pre></td></tr>`).join("")}</table></div>`);
      }
      for(const e of o.events) events.push({t:e.time_ms,html:`<tr><td><small>${new Date(e.time_ms).toLocaleString()}</small></td><td>${esc(r.name)}</td><td>${esc(e.what)}</td><td>${esc(e.actor||"")}</td></tr>`});
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
    const wrow=[];
    for(const p of workers.workers){
      p.instances.forEach((i,n)=>wrow.push(`<tr data-pool="${esc(p.pool)}" data-index="${i.index}">
        ${n===0?`<td rowspan="${p.instances.length}"><b>${esc(p.pool)}</b>${p.rolling?" <small>rolling restart…</small>":""}<br>
          <button data-restart="${esc(p.pool)}"${p.rolling?" disabled":""}>rolling restart</button></td>`:""}
        <td>${i.index}</td><td>${i.pid||"-"}</td><td>${esc(i.address)}</td>
        <td class="state ${i.state==="up"?"ok":"bad"}">${esc(i.state)}</td><td>${i.state==="up"?age(i.uptime_ms):"-"}</td>
        <td class="${i.restarts?"bad":""}">${i.restarts}</td><td>${i.replaced||0}</td><td>${i.in_flight}</td>
        <td><small>${esc(i.last_error)}${i.last_error&&i.last_error_age_ms>=0?" ("+age(i.last_error_age_ms)+" ago)":""}</small></td></tr>`));
    }
    document.querySelector("#workers tbody").innerHTML=wrow.join("")||`<tr><td colspan="10"><small>no supervised workers ([pools.NAME.workers])</small></td></tr>`;
    document.getElementById("updated").textContent="updated "+new Date().toLocaleTimeString();
    document.getElementById("err").textContent="";
  }catch(e){ if(e instanceof TokenNeeded) askToken(e.message); else document.getElementById("err").textContent=e.message; }
}
document.getElementById("routes").addEventListener("click",ev=>{
  const b=ev.target.closest("button"); if(!b) return;
  const tr=b.closest("tr"), action=b.dataset.action;
  if(action==="cancel"){warnFor=null;refresh();return;}
  if(action==="promote-anyway"){const route=tr.dataset.warn;warnFor=null;move(route,"promote");return;}
  const route=tr.dataset.route;
  if(action==="promote"&&last[route]){
    const why=promoteWarning(last[route]);
    if(why){warnFor={route,text:why};refresh();return;}
  }
  warnFor=null;
  move(route,action);
});
document.getElementById("workers").addEventListener("click",ev=>{
  const b=ev.target.closest("button[data-restart]"); if(b) restartPool(b.dataset.restart);
});
refresh(); setInterval(refresh,2000);
</script></body></html>
)html";
  return kPage;
}

}  // namespace cutover
