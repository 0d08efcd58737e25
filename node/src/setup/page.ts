/**
 * @module setup/page
 * A self-contained page for the setup link, until the web UI's console takes over.
 */
export const setupPage = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>书林 · 初始化 / Setup</title>
<style>
body{font:16px/1.6 system-ui,"Noto Sans CJK SC",sans-serif;margin:0;background:#f6f4ef;color:#222}
main{max-width:26rem;margin:2rem auto;padding:1.5rem;background:#fff;border-radius:12px;box-shadow:0 1px 4px #0002}
label{display:block;margin-top:1rem;font-weight:600}input{width:100%;box-sizing:border-box;padding:.6rem;font-size:1rem;border:1px solid #767676;border-radius:6px}
button{margin-top:1.5rem;width:100%;padding:.75rem;font-size:1rem;background:#8a1c1c;color:#fff;border:0;border-radius:6px}
button:focus-visible,input:focus-visible{outline:3px solid #1a5fb4;outline-offset:2px}
#msg{margin-top:1rem;min-height:1.5rem}#msg.err{color:#a00}#msg.ok{color:#065f1f}
</style></head><body><main>
<h1>书林 · 创建管理员</h1><p>Create the first administrator of this library node.</p>
<form id="f" novalidate>
<label for="u">用户名 Username</label><input id="u" name="username" autocomplete="username" required pattern="[A-Za-z][A-Za-z0-9_.-]{2,31}">
<label for="n">姓名 Name</label><input id="n" name="name" autocomplete="name">
<label for="p">密码 Password（至少 8 位 / 8+ characters）</label><input id="p" name="password" type="password" autocomplete="new-password" required minlength="8">
<button type="submit">创建 Create</button></form>
<p id="msg" role="status" aria-live="polite"></p></main>
<script>
const token=new URLSearchParams(location.hash.slice(1)).get('token')||'';
const msg=document.getElementById('msg');
document.getElementById('f').addEventListener('submit',async e=>{e.preventDefault();
const f=new FormData(e.target);const body={token,username:f.get('username'),password:f.get('password')};
if(f.get('name'))body.name=f.get('name');
const r=await fetch('/api/setup',{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify(body)});
const j=await r.json().catch(()=>({}));
if(r.ok){msg.className='ok';msg.textContent='管理员已创建，请登录。Admin created; please sign in.';history.replaceState(null,'','/setup')}
else{msg.className='err';msg.textContent=[j.title].concat((j.errors||[]).map(x=>x.pointer.slice(1)+': '+x.detail)).join(' · ')}});
</script></body></html>`
