// Suban's pages: small progressive enhancements over server-rendered HTML. Actions call the same JSON API as any
// client (cookie sign-in); errors come back as RFC 7807 problems naming the field, shown next to that field.
(function () {
  'use strict';
  const en = document.body.dataset.lang === 'en';
  const t = (zh, english) => (en ? english : zh);
  const words = (name) => name.replace(/([A-Z])/g, ' $1').toLowerCase();
  const stateNames = { submitted: '待分拨', dispatched: '已派单', inProgress: '办理中', returned: '已退回', replied: '已答复', reopened: '重新办理', closed: '已办结', cancelled: '已撤销', merged: '已并案' };
  const actionNames = { submit: '提交诉求', route: '智能分拨', forward: '转下级平台', dispatch: '派单', cancel: '撤销', merge: '并案', followMaster: '随主单答复', accept: '签收', handle: '办理', reportPart: '协办回复', 'return': '退回', reply: '答复', rateSatisfied: '评价：满意', rateBasicallySatisfied: '评价：基本满意', rateDissatisfied: '评价：不满意，重新办理', autoClose: '自动办结', requestExtension: '申请延期', approveExtension: '同意延期', refuseExtension: '不同意延期', suspend: '挂起', resume: '恢复办理', remind: '催办', supervise: '督办', answerSupervision: '督办回复', overdue: '超期' };
  window.subanState = (state) => (en ? words(state) : stateNames[state] || state);
  const actionName = (action) => (en ? words(action) : actionNames[action] || action);

  async function api(method, url, body) {
    const init = { method, headers: { accept: 'application/json' }, credentials: 'same-origin' };
    if (body instanceof FormData) {
      init.body = body;
    } else if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const response = await fetch(url, init);
    const text = await response.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch { data = null; }
    return { ok: response.ok, status: response.status, data };
  }

  function showProblem(scope, problem, fallback) {
    scope.querySelectorAll('.error').forEach((e) => { e.textContent = ''; });
    const errors = (problem && problem.errors) || {};
    let shown = false;
    for (const [field, messages] of Object.entries(errors)) {
      const target = scope.querySelector(`.error[data-for="${field}"]`);
      if (target) { target.textContent = messages.join(' '); shown = true; }
    }
    if (!shown) {
      const general = scope.querySelector('.error[data-for="form"]') || scope.querySelector('.error');
      if (general) general.textContent = (problem && (problem.detail || problem.title)) || fallback || t('操作失败，请重试', 'That did not work; try again');
    }
  }

  function busy(button, on) { if (button) button.disabled = on; }

  document.querySelector('[data-logout]')?.addEventListener('click', async () => {
    await api('POST', '/api/v1/auth/logout');
    location.href = '/';
  });

  // ---- Citizen: submit ----
  const submitForm = document.getElementById('submit-form');
  if (submitForm) {
    const Recognition = window.SpeechRecognition || window.webkitSpeechRecognition;
    const voice = document.getElementById('voice');
    if (Recognition && voice) {
      voice.hidden = false;
      voice.addEventListener('click', () => {
        const recognition = new Recognition();
        recognition.lang = en ? 'en-US' : 'zh-CN';
        recognition.onresult = (event) => {
          const area = document.getElementById('description');
          area.value = (area.value ? area.value + ' ' : '') + event.results[0][0].transcript;
        };
        recognition.start();
      });
    }
    document.getElementById('locate')?.addEventListener('click', () => {
      const status = document.getElementById('located');
      if (!navigator.geolocation) { status.textContent = t('此浏览器无法定位', 'This browser cannot locate you'); return; }
      navigator.geolocation.getCurrentPosition((p) => {
        document.getElementById('latitude').value = p.coords.latitude.toFixed(6);
        document.getElementById('longitude').value = p.coords.longitude.toFixed(6);
        status.textContent = t('已获取位置', 'Location added') + ` (${p.coords.latitude.toFixed(4)}, ${p.coords.longitude.toFixed(4)})`;
      }, () => { status.textContent = t('未能获取位置，请填写地址', 'No location: please type the address'); });
    });
    // A map of the city's districts (the boundaries it imported, no tiles): a click sets the coordinates.
    document.getElementById('pick')?.addEventListener('click', async () => {
      const status = document.getElementById('located');
      const holder = document.getElementById('pick-map');
      const response = await fetch('/api/v1/places/boundaries/district');
      // ECharts (about 1 MB) is fetched only when someone asks for the map, so the form stays light on a phone.
      if (response.ok && !window.echarts) {
        await new Promise((resolve) => {
          const script = document.createElement('script');
          script.src = '/lib/echarts.min.js';
          script.onload = resolve;
          script.onerror = resolve;
          document.head.append(script);
        });
      }
      if (!response.ok || !window.echarts) { status.textContent = t('地图暂不可用，请填写地址', 'No map yet: please type the address'); return; }
      const geo = await response.json();
      holder.hidden = false;
      window.echarts.registerMap('city', geo);
      const chart = window.echarts.init(holder);
      chart.setOption({ animation: false, geo: { map: 'city', roam: true, itemStyle: { areaColor: '#eef2f8', borderColor: '#6b7a90' }, emphasis: { itemStyle: { areaColor: '#cfdcf3' } } }, series: [{ type: 'scatter', coordinateSystem: 'geo', symbolSize: 14, itemStyle: { color: '#b3261e' }, data: [] }] });
      chart.getZr().on('click', (event) => {
        const point = chart.convertFromPixel({ geoIndex: 0 }, [event.offsetX, event.offsetY]);
        if (!point) return;
        const [lon, lat] = point;
        document.getElementById('latitude').value = lat.toFixed(6);
        document.getElementById('longitude').value = lon.toFixed(6);
        chart.setOption({ series: [{ data: [[lon, lat]] }] });
        status.textContent = t('已在地图上选点', 'Picked on the map') + ` (${lat.toFixed(4)}, ${lon.toFixed(4)})`;
      });
    });
    submitForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      const f = submitForm.elements;
      const lat = parseFloat(f.latitude.value), lon = parseFloat(f.longitude.value);
      const request = {
        type: submitForm.querySelector('input[name=type]:checked').value,
        title: f.title.value.trim(),
        description: f.description.value.trim(),
        place: { address: f.address.value.trim() || null, latitude: isNaN(lat) ? null : lat, longitude: isNaN(lon) ? null : lon },
        contact: { name: f.name.value.trim() || null, phone: f.phone.value.trim() || null, anonymous: f.anonymous.checked },
        channel: window.matchMedia('(max-width: 40rem)').matches ? 'mobile' : 'web',
        matterCode: f.matter.value.trim() || null,
      };
      const body = new FormData();
      body.append('request', JSON.stringify(request));
      for (const file of f.photos.files) body.append('photos', file);
      const button = submitForm.querySelector('button[type=submit]');
      busy(button, true);
      const result = await api('POST', '/api/v1/requests', body);
      busy(button, false);
      if (!result.ok) { showProblem(submitForm, result.data); return; }
      submitForm.hidden = true;
      const done = document.getElementById('submitted');
      document.getElementById('tracking-number').textContent = result.data.trackingNumber;
      document.getElementById('track-link').href = '/track?n=' + encodeURIComponent(result.data.trackingNumber) + (en ? '&lang=en' : '');
      done.hidden = false;
      done.focus();
    });
  }

  // ---- Anyone: track ----
  const trackForm = document.getElementById('track-form');
  if (trackForm) {
    trackForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      const n = trackForm.elements.trackingNumber.value.trim();
      const digits = trackForm.elements.phoneLast4.value.trim();
      const result = await api('GET', `/api/v1/lookup?trackingNumber=${encodeURIComponent(n)}&phoneLast4=${encodeURIComponent(digits)}`);
      if (!result.ok) { showProblem(trackForm, result.data, t('未找到该诉求', 'No such request')); return; }
      const s = result.data;
      document.getElementById('status-title').textContent = s.title;
      document.getElementById('status-state').textContent = window.subanState(s.state);
      const list = document.getElementById('status-timeline');
      list.replaceChildren(...s.timeline.map((e) => {
        const li = document.createElement('li');
        const time = document.createElement('time');
        time.textContent = new Date(e.at).toLocaleString(en ? 'en-GB' : 'zh-CN', { timeZone: 'Asia/Shanghai' });
        const what = document.createElement('strong');
        what.textContent = actionName(e.action);
        li.append(time, what);
        if (e.note) { const p = document.createElement('p'); p.textContent = e.note; li.append(p); }
        return li;
      }));
      document.getElementById('status').hidden = false;
    });
  }

  // ---- Citizen: rate ----
  document.querySelectorAll('[data-rate]').forEach((button) => button.addEventListener('click', async () => {
    const card = button.closest('[data-number]');
    busy(button, true);
    const result = await api('POST', `/api/v1/requests/${card.dataset.number}/rating`, { rating: button.dataset.rate });
    busy(button, false);
    if (!result.ok) { showProblem(card, result.data); return; }
    location.reload();
  }));

  // ---- Dispatcher: live queues and one-action dispatch ----
  const queue = document.getElementById('queue');
  if (queue) {
    const refresh = () => document.body.dispatchEvent(new Event('queue-changed'));
    if (window.EventSource) {
      const stream = new EventSource('/api/v1/queue/stream');
      let first = true;
      stream.addEventListener('queue', () => { if (first) { first = false; return; } refresh(); });
    }
    // A live refresh re-renders every card. What the dispatcher has chosen or typed on a card that is still there
    // (a suggested matter, a lead unit, a platform), and where the cursor was, survives it; a card that has left
    // the queue takes its edits with it.
    const edits = new Map();
    const keyOf = (control) => {
      const card = control.closest && control.closest('article[data-number]');
      return card && control.name ? JSON.stringify([card.dataset.number, control.name]) : null;
    };
    const controlFor = (key, value) => {
      const [number, name] = JSON.parse(key);
      const card = queue.querySelector(`article[data-number="${CSS.escape(number)}"]`);
      if (!card) return null;
      const named = `[name="${CSS.escape(name)}"]`;
      return value === undefined ? card.querySelector(named) : card.querySelector(`${named}[value="${CSS.escape(value)}"]`);
    };
    const remember = (control) => {
      const key = keyOf(control);
      if (key) edits.set(key, { value: control.value, radio: control.type === 'radio' });
    };
    queue.addEventListener('input', (event) => remember(event.target));
    queue.addEventListener('change', (event) => {
      const radio = event.target;
      remember(radio);
      if (radio.type === 'radio' && radio.dataset.lead) {
        const lead = radio.closest('form').querySelector('input[name=lead]');
        lead.value = radio.dataset.lead;
        remember(lead);
      }
    });
    let focused = null;
    queue.addEventListener('htmx:beforeSwap', () => {
      const active = document.activeElement;
      const key = active && queue.contains(active) ? keyOf(active) : null;
      focused = key ? { key, value: active.type === 'radio' ? active.value : undefined, start: active.selectionStart, end: active.selectionEnd } : null;
    });
    queue.addEventListener('htmx:afterSwap', () => {
      for (const [key, edit] of [...edits]) {
        const control = controlFor(key, edit.radio ? edit.value : undefined);
        if (!control) { edits.delete(key); continue; }
        if (edit.radio) control.checked = true; else control.value = edit.value;
      }
      const control = focused && controlFor(focused.key, focused.value);
      if (control) {
        control.focus();
        if (typeof focused.start === 'number') { try { control.setSelectionRange(focused.start, focused.end); } catch { /* not a text field */ } }
      }
      focused = null;
    });
    queue.addEventListener('click', async (event) => {
      const button = event.target.closest('[data-merge-into]');
      if (!button) return;
      busy(button, true);
      const result = await api('POST', `/api/v1/requests/${button.dataset.number}/merge`, { masterTrackingNumber: button.dataset.mergeInto });
      busy(button, false);
      if (!result.ok) { showProblem(button.closest('article'), result.data); return; }
      refresh();
    });
    queue.addEventListener('submit', async (event) => {
      const forward = event.target.closest('form.forward');
      if (forward) {
        event.preventDefault();
        const result = await api('POST', `/api/v1/requests/${forward.dataset.number}/forward`, { platformUnitCode: forward.elements.platform.value });
        if (!result.ok) { showProblem(forward.closest('article'), result.data); return; }
        refresh();
        return;
      }
      const form = event.target.closest('form.dispatch');
      if (!form) return;
      event.preventDefault();
      const chosen = form.querySelector('input[type=radio]:checked');
      const body = {
        leadUnitCode: form.elements.lead.value.trim(),
        coUnitCodes: chosen && chosen.dataset.co ? chosen.dataset.co.split(',').filter((c) => c && c !== form.elements.lead.value.trim()) : [],
        matterCode: chosen ? chosen.value : null,
      };
      const button = form.querySelector('button[type=submit]');
      busy(button, true);
      const result = await api('POST', `/api/v1/requests/${form.dataset.number}/dispatch`, body);
      busy(button, false);
      if (!result.ok) { showProblem(form, result.data); return; }
      refresh();
    });
  }

  // ---- Unit: accept, reply, extension, part report, return ----
  document.querySelectorAll('.actions').forEach((actions) => {
    const card = actions.closest('[data-number]');
    const number = card.dataset.number;
    const done = (result) => { if (!result.ok) { showProblem(card, result.data); } else { location.reload(); } };
    actions.querySelector('[data-act=accept]')?.addEventListener('click', async (event) => {
      busy(event.target, true);
      done(await api('POST', `/api/v1/requests/${number}/accept`, {}));
    });
    actions.querySelectorAll('form[data-act]').forEach((form) => form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const act = form.dataset.act;
      const f = form.elements;
      const body = act === 'reply' ? { reply: f.reply.value.trim() }
        : act === 'extension' ? { days: parseInt(f.days.value, 10), reason: f.reason.value.trim() }
        : act === 'part-report' ? { note: f.note.value.trim() }
        : { reason: f.reason.value.trim() };
      busy(form.querySelector('button'), true);
      done(await api('POST', `/api/v1/requests/${number}/${act}`, body));
    }));
  });

  // ---- Dashboard: charts ----
  const data = document.getElementById('dashboard-data');
  if (data && window.echarts) {
    const stats = JSON.parse(data.textContent);
    const chart = (id, option) => { const el = document.getElementById(id); if (el) window.echarts.init(el).setOption(Object.assign({ animation: false, tooltip: {} }, option)); };
    chart('chart-days', { xAxis: { type: 'category', data: stats.byDay.map((d) => d.name) }, yAxis: { type: 'value', minInterval: 1 }, series: [{ type: 'line', data: stats.byDay.map((d) => d.count), smooth: true }] });
    chart('chart-channels', { series: [{ type: 'pie', radius: ['35%', '65%'], data: stats.byChannel.map((c) => ({ name: c.name, value: c.count })) }] });
    chart('chart-categories', { grid: { left: 140 }, xAxis: { type: 'value', minInterval: 1 }, yAxis: { type: 'category', data: stats.byCategory.map((c) => c.name).reverse() }, series: [{ type: 'bar', data: stats.byCategory.map((c) => c.count).reverse() }] });
    const districts = stats.byDistrict.map((d) => ({ name: d.name, code: d.code, value: d.count }));
    fetch('/api/v1/places/boundaries/district').then((r) => (r.ok ? r.json() : null)).then((geo) => {
      if (geo && geo.features) {
        // District boundaries imported by the city: a map without tiles, coloured by volume.
        geo.features.forEach((f) => { const match = districts.find((d) => d.code && String(f.properties.code || f.properties.adcode) === d.code); f.properties.name = match ? match.name : (f.properties.name || ''); });
        window.echarts.registerMap('districts', geo);
        chart('chart-districts', { visualMap: { min: 0, max: Math.max(1, ...districts.map((d) => d.value)), calculable: true, left: 'left', bottom: 0 }, series: [{ type: 'map', map: 'districts', roam: false, data: districts }] });
      } else {
        chart('chart-districts', { grid: { left: 80 }, xAxis: { type: 'value', minInterval: 1 }, yAxis: { type: 'category', data: districts.map((d) => d.name).reverse() }, series: [{ type: 'bar', data: districts.map((d) => d.value).reverse() }] });
      }
    }).catch(() => {});
  }
})();

// ---- Call-taker: the 12345 console ----
(function () {
  'use strict';
  const form = document.getElementById('call-form');
  if (!form) return;
  const en = document.body.dataset.lang === 'en';
  const t = (zh, english) => (en ? english : zh);
  const json = async (method, url, body) => {
    const response = await fetch(url, { method, credentials: 'same-origin', headers: body ? { 'content-type': 'application/json', accept: 'application/json' } : { accept: 'application/json' }, body: body ? JSON.stringify(body) : undefined });
    const text = await response.text();
    return { ok: response.ok, data: text ? JSON.parse(text) : null };
  };
  const item = (text, extra) => { const li = document.createElement('li'); li.textContent = text; if (extra) li.append(extra); return li; };
  const debounce = (fn, ms) => { let timer; return () => { clearTimeout(timer); timer = setTimeout(fn, ms); }; };
  const f = form.elements;

  const history = document.getElementById('history');
  f.phone.addEventListener('change', async () => {
    const phone = f.phone.value.trim();
    if (phone.replace(/\D/g, '').length < 7) return;
    const result = await json('GET', `/api/v1/callers/${encodeURIComponent(phone)}/requests`);
    if (!result.ok) return;
    history.replaceChildren(...(result.data.length === 0 ? [item(t('无历史诉求', 'None'))]
      : result.data.map((r) => item(`${r.trackingNumber} · ${r.title} · ${window.subanState ? window.subanState(r.state) : r.state}`))));
  });

  const suggestions = document.getElementById('suggestions');
  const answer = document.getElementById('answer');
  const duplicates = document.getElementById('duplicates');
  const showAnswer = async (code) => {
    answer.hidden = true;
    if (!code || form.querySelector('input[name=type]:checked').value !== 'consultation') return;
    const result = await json('GET', `/api/v1/catalogue/matters/${encodeURIComponent(code)}`);
    if (result.ok && result.data.instantAnswer) {
      document.getElementById('answer-text').textContent = result.data.instantAnswer;
      answer.hidden = false;
    }
  };
  const typed = debounce(async () => {
    const text = `${f.title.value} ${f.description.value}`.trim();
    if (text.length < 4) return;
    const [suggested, similar] = await Promise.all([
      json('POST', '/api/v1/routing/classify', { text }),
      json('POST', '/api/v1/duplicates/preview', { title: f.title.value, description: f.description.value, address: f.address.value || null }),
    ]);
    if (suggested.ok) {
      const list = (suggested.data.suggestions || suggested.data || []).slice(0, 3);
      suggestions.replaceChildren(...list.map((s) => {
        const pick = document.createElement('button');
        pick.type = 'button';
        pick.textContent = t('选用', 'Use');
        pick.addEventListener('click', () => { f.matter.value = s.code; showAnswer(s.code); });
        return item(`${s.name} ${(s.probability * 100).toFixed(0)}% `, pick);
      }));
      if (list.length > 0 && !f.matter.value) showAnswer(list[0].code);
    }
    if (similar.ok) {
      duplicates.replaceChildren(...(similar.data.length === 0 ? [item(t('未发现', 'None found'))]
        : similar.data.map((d) => item(`${d.trackingNumber} · ${d.title} · ${(d.similarity * 100).toFixed(0)}%`))));
    }
  }, 500);
  f.title.addEventListener('input', typed);
  f.description.addEventListener('input', typed);
  f.address.addEventListener('change', typed);
  f.matter.addEventListener('change', () => showAnswer(f.matter.value.trim()));
  form.querySelectorAll('input[name=type]').forEach((r) => r.addEventListener('change', () => showAnswer(f.matter.value.trim())));

  form.addEventListener('keydown', (event) => { if (event.key === 'Enter' && event.ctrlKey) form.requestSubmit(); });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const request = {
      type: form.querySelector('input[name=type]:checked').value,
      title: f.title.value.trim(),
      description: f.description.value.trim(),
      place: { address: f.address.value.trim() || null },
      contact: { name: f.name.value.trim() || null, phone: f.phone.value.trim() || null },
      channel: 'hotline',
      urgency: f.urgency.value,
      matterCode: f.matter.value.trim() || null,
    };
    form.querySelectorAll('.error').forEach((e) => { e.textContent = ''; });
    const result = await json('POST', '/api/v1/requests', request);
    if (!result.ok) {
      const errors = (result.data && result.data.errors) || {};
      let shown = false;
      for (const [field, messages] of Object.entries(errors)) {
        const target = form.querySelector(`.error[data-for="${field}"]`);
        if (target) { target.textContent = messages.join(' '); shown = true; }
      }
      if (!shown) form.querySelector('.error[data-for="form"]').textContent = (result.data && (result.data.detail || result.data.title)) || t('受理失败', 'Not taken in');
      return;
    }
    const taken = document.getElementById('taken');
    taken.textContent = t('已受理，编号 ', 'Taken in as ') + result.data.trackingNumber;
    taken.hidden = false;
    ['title', 'description', 'address', 'matter', 'name'].forEach((name) => { f[name].value = ''; });
    suggestions.replaceChildren(); duplicates.replaceChildren(); answer.hidden = true;
    f.phone.focus();
  });
})();

// ---- Administrators: accounts and the working calendar ----
(function () {
  'use strict';
  const send = async (method, url, body) => {
    const response = await fetch(url, { method, credentials: 'same-origin', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) });
    const text = await response.text();
    return { ok: response.ok, data: text ? JSON.parse(text) : null };
  };
  const fail = (form, data) => {
    const errors = (data && data.errors) || {};
    const message = Object.values(errors).flat().join(' ') || (data && (data.detail || data.title)) || 'Error';
    form.querySelector('.error').textContent = message;
  };
  const users = document.getElementById('user-form');
  users?.addEventListener('submit', async (event) => {
    event.preventDefault();
    const f = users.elements;
    const result = await send('POST', '/api/v1/users', { userName: f.userName.value.trim(), displayName: f.displayName.value.trim() || null, unitCode: f.unitCode.value.trim(), roles: [f.role.value], password: f.password.value });
    if (!result.ok) { fail(users, result.data); return; }
    location.reload();
  });
  const calendar = document.getElementById('calendar-form');
  calendar?.addEventListener('submit', async (event) => {
    event.preventDefault();
    const f = calendar.elements;
    const result = await send('PUT', `/api/v1/calendar/${f.date.value}`, { kind: f.kind.value, name: f.name.value.trim() || null });
    if (!result.ok) { fail(calendar, result.data); return; }
    location.reload();
  });
})();
