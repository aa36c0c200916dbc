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

  // Every call says the page's language, so problems come back in it. A network failure is an answer too (status 0),
  // never an exception that leaves a button disabled and the user without a word.
  async function api(method, url, body, headers) {
    const init = { method, headers: Object.assign({ accept: 'application/json', 'accept-language': en ? 'en' : 'zh-CN' }, headers), credentials: 'same-origin' };
    if (body instanceof FormData) {
      init.body = body;
    } else if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(url, init);
    } catch {
      return { ok: false, status: 0, data: null };
    }
    const text = await response.text().catch(() => '');
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch { data = null; }
    return { ok: response.ok, status: response.status, data };
  }

  // The line for a field's messages: its own, else that of the field it is part of ("photos[1]" → "photos"), else one
  // of its parts' ("place" → "place.address").
  function slotFor(scope, field) {
    const tries = [field, field.replace(/\[\d+\]/g, '')];
    for (let f = tries[1]; f.includes('.');) { f = f.slice(0, f.lastIndexOf('.')); tries.push(f); }
    for (const f of tries) {
      const slot = scope.querySelector(`.error[data-for="${CSS.escape(f)}"]`) || scope.querySelector(`.error[data-for^="${CSS.escape(f)}."]`);
      if (slot) return slot;
    }
    return null;
  }

  // A field's messages go next to that field; those for a field the form does not show, and the problem's detail
  // when no field is named, go to the form's general line, so nothing the server said is lost.
  function showProblem(scope, problem, fallback) {
    scope.querySelectorAll('.error').forEach((e) => { e.textContent = ''; });
    const errors = (problem && problem.errors) || {};
    const unplaced = [];
    for (const [field, messages] of Object.entries(errors)) {
      const target = slotFor(scope, field);
      if (target) target.textContent = messages.join(' '); else unplaced.push(...messages);
    }
    const general = scope.querySelector('.error[data-for="form"]') || scope.querySelector('.error:not([data-for])') || scope.querySelector('.error');
    if (!general) return;
    if (unplaced.length > 0) {
      general.textContent = unplaced.join(' ');
    } else if (Object.keys(errors).length === 0) {
      general.textContent = problem === null ? t('网络或服务异常，请稍后重试', 'The service could not be reached; try again')
        : (problem.detail || problem.title || fallback || t('操作失败，请重试', 'That did not work; try again'));
    }
  }

  // An Idempotency-Key; crypto.randomUUID exists only on https and localhost, so plain http on a LAN gets another.
  const newKey = () => (window.crypto && crypto.randomUUID ? crypto.randomUUID() : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`);

  window.suban = { api, showProblem, newKey };

  function busy(button, on) { if (button) button.disabled = on; }

  // The header's notification link says how many are unread (an announced count, for screen readers too).
  const inboxLink = document.querySelector('[data-inbox]');
  if (inboxLink) {
    api('GET', '/api/v1/me/notifications/unread-count').then((result) => {
      const badge = inboxLink.querySelector('[data-unread]');
      const unread = result.ok && result.data ? result.data.unread : 0;
      if (!unread || !badge) return;
      badge.textContent = unread > 99 ? '99+' : String(unread);
      badge.hidden = false;
      inboxLink.setAttribute('aria-label', t(`通知，${badge.textContent}条未读`, `Notifications, ${badge.textContent} unread`));
    });
  }

  // The notifications page: one marked read, or all those on the page (not any that came in since), then the page again.
  document.querySelectorAll('[data-read], [data-read-all]').forEach((button) => button.addEventListener('click', async () => {
    busy(button, true);
    const result = button.dataset.read
      ? await api('POST', `/api/v1/me/notifications/${button.dataset.read}/read`, {})
      : await api('POST', '/api/v1/me/notifications/read-all', { upTo: Number(button.dataset.readAll) });
    if (!result.ok) { busy(button, false); showProblem(document.querySelector('main'), result.data); return; }
    location.reload();
  }));

  // Switching language keeps the rest of the address (a dashboard's dates, the number being tracked).
  const switchLang = document.querySelector('[data-switch-lang]');
  if (switchLang) {
    const url = new URL(location.href);
    url.searchParams.set('lang', switchLang.dataset.switchLang);
    switchLang.href = url.pathname + url.search + url.hash;
  }

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
    let submitKey = null;
    submitForm.addEventListener('input', () => { submitKey = null; });
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
      // One key for this request however often it is sent (a retry after a lost answer files nothing twice); any
      // edit makes it a new request.
      submitKey = submitKey || newKey();
      const result = await api('POST', '/api/v1/requests', body, { 'idempotency-key': submitKey });
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
      const n = trackForm.elements.trackingNumber.value.trim().toUpperCase();
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
      if (radio.type === 'radio' && radio.name.startsWith('matter-')) {
        // A matter the list names no lead unit for here leaves the choice to the dispatcher, not to the last one picked.
        const lead = radio.closest('form').querySelector('input[name=lead]');
        lead.value = radio.dataset.lead || '';
        remember(lead);
      }
    });
    let focused = null;
    let shownErrors = [];
    queue.addEventListener('htmx:beforeSwap', () => {
      shownErrors = [...queue.querySelectorAll('article[data-number] .error')].filter((e) => e.textContent)
        .map((e) => ({ number: e.closest('article').dataset.number, text: e.textContent }));
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
      for (const { number, text } of shownErrors) {
        const error = queue.querySelector(`article[data-number="${CSS.escape(number)}"] .error`);
        if (error) error.textContent = text;
      }
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

  // ---- Unit and supervision desks: each action posts its form to /api/v1/requests/{number}/{path} ----
  // A form's fields are the body (named as the API names them: numbers as numbers, an empty optional field left
  // out; a pressed button with a name adds its value); its path is the pressed button's data-path, else the form's,
  // else its data-act (accept, reply, extension, suspend, resume, part-report, return, remind, supervise, rating,
  // supervision/{id}/answer, extension/{id}/approve|refuse).
  // Text typed on a desk survives the reload that follows an action (sessionStorage, this tab only); the form just
  // sent starts clean.
  const draftsKey = 'suban.desk-drafts';
  const formKey = (form) => (form && (form.dataset.path || form.dataset.act)) || '';
  // One request can have two cards (on the supervision desk: an extension and a late clock); each has its own heading.
  const cardKey = (card) => card.getAttribute('aria-labelledby') || card.dataset.number;
  function saveDrafts(except) {
    const drafts = {};
    document.querySelectorAll('.actions textarea, .actions input[type=text], .actions input:not([type])').forEach((field) => {
      const card = field.closest('[data-number]');
      if (card && !(except && except.contains(field)) && field.name && field.value.trim()) drafts[`${cardKey(card)}|${formKey(field.closest('form'))}|${field.name}`] = field.value;
    });
    try { sessionStorage.setItem(draftsKey, JSON.stringify(drafts)); } catch { /* storage full or off: drafts are a courtesy */ }
  }
  function restoreDrafts() {
    let drafts = {};
    try { drafts = JSON.parse(sessionStorage.getItem(draftsKey) || '{}'); sessionStorage.removeItem(draftsKey); } catch { return; }
    for (const [key, value] of Object.entries(drafts)) {
      const [where, path, name] = key.split('|');
      const card = [...document.querySelectorAll('[data-number]')].find((c) => cardKey(c) === where);
      const form = card && [...card.querySelectorAll('form[data-act]')].find((f) => formKey(f) === path);
      if (form && form.elements[name] && !form.elements[name].value) form.elements[name].value = value;
    }
  }
  function bodyOf(form) {
    const body = {};
    for (const field of form.elements) {
      if (!field.name || field.tagName === 'BUTTON') continue;
      const value = field.value.trim();
      if (value === '') continue;
      body[field.name] = field.type === 'number' ? Number(value) : value;
    }
    return body;
  }
  // Browsers without SubmitEvent.submitter say which button was pressed by its click.
  document.querySelectorAll('.actions form button[data-path], .actions form button[name]').forEach((button) => button.addEventListener('click', () => { button.form.pressed = button; }));
  document.querySelectorAll('.actions').forEach((actions) => {
    const card = actions.closest('[data-number]');
    const number = card.dataset.number;
    // After an action the page reloads; what is being written on other cards is kept for it (drafts, above).
    const done = (result, buttons, form) => {
      if (!result.ok) { buttons.forEach((b) => busy(b, false)); showProblem(card, result.data); return; }
      saveDrafts(form);
      location.reload();
    };
    actions.querySelectorAll('button[data-act]').forEach((button) => button.addEventListener('click', async () => {
      busy(button, true);
      done(await api('POST', `/api/v1/requests/${number}/${button.dataset.path || button.dataset.act}`, {}), [button]);
    }));
    actions.querySelectorAll('form[data-act]').forEach((form) => form.addEventListener('submit', async (event) => {
      event.preventDefault();
      // The pressed button may name the address (data-path) or add its own value (name, value: a rating).
      const pressed = event.submitter || form.pressed || null;
      const path = (pressed && pressed.dataset.path) || formKey(form);
      const body = bodyOf(form);
      if (pressed && pressed.name) body[pressed.name] = pressed.value;
      const buttons = [...form.querySelectorAll('button')];
      buttons.forEach((b) => busy(b, true));
      done(await api('POST', `/api/v1/requests/${number}/${path}`, body), buttons, form);
    }));
  });
  restoreDrafts();

  // ---- Hotspots: a data-driven event for a hotspot; its request's page opens once it is created ----
  document.querySelectorAll('form.hotspot-event').forEach((form) => form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const card = form.closest('[data-hotspot]');
    const button = form.querySelector('button[type=submit]');
    busy(button, true);
    const result = await api('POST', '/api/v1/hotspots/events', Object.assign({ area: form.dataset.area, matter: form.dataset.matter }, bodyOf(form)));
    if (!result.ok) { busy(button, false); showProblem(card, result.data); return; }
    const lang = document.body.dataset.lang === 'en' ? '?lang=en' : '';
    location.href = `/requests/${encodeURIComponent(result.data.trackingNumber)}${lang}`;
  }));

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
  const json = (method, url, body, headers) => window.suban.api(method, url, body, headers);
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
  // One key per request being taken in: a double press or a retry after a lost answer files it once; an edit makes
  // it a new request.
  let key = null;
  form.addEventListener('input', () => { key = null; });
  form.addEventListener('change', () => { key = null; });
  const submit = form.querySelector('button[type=submit]');
  let sending = false;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (sending) return;
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
    key = key || window.suban.newKey();
    sending = true;
    submit.disabled = true;
    const result = await json('POST', '/api/v1/requests', request, { 'idempotency-key': key });
    sending = false;
    submit.disabled = false;
    if (!result.ok) {
      window.suban.showProblem(form, result.data, t('受理失败', 'Not taken in'));
      return;
    }
    form.querySelectorAll('.error').forEach((e) => { e.textContent = ''; });
    const taken = document.getElementById('taken');
    taken.textContent = t('已受理，编号 ', 'Taken in as ') + result.data.trackingNumber;
    taken.hidden = false;
    // Ready for the next call: the form as it first was, the last caller's number selected so typing replaces it
    // (and a second matter from the same caller needs no retyping).
    ['title', 'description', 'address', 'matter', 'name'].forEach((name) => { f[name].value = ''; });
    form.querySelectorAll('input[type=radio], select').forEach((control) => {
      if (control.type === 'radio') control.checked = control.defaultChecked;
      else control.value = [...control.options].find((o) => o.defaultSelected)?.value ?? control.options[0]?.value;
    });
    key = null;
    suggestions.replaceChildren(); duplicates.replaceChildren(); answer.hidden = true;
    f.phone.focus();
    f.phone.select();
  });
})();

// ---- Administrators: accounts and the working calendar ----
(function () {
  'use strict';
  const send = (method, url, body) => window.suban.api(method, url, body);
  const fail = (form, data) => window.suban.showProblem(form, data);
  const users = document.getElementById('user-form');
  users?.addEventListener('submit', async (event) => {
    event.preventDefault();
    const f = users.elements;
    const result = await send('POST', '/api/v1/users', { userName: f.userName.value.trim(), displayName: f.displayName.value.trim() || null, unitCode: f.unitCode.value.trim(), roles: [f.role.value], password: f.password.value });
    if (!result.ok) { fail(users, result.data); return; }
    location.reload();
  });
  // Retraining takes seconds: the button waits, then the page shows the new model in its table.
  const train = document.getElementById('train-form');
  train?.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = train.querySelector('button');
    const status = document.getElementById('train-status');
    const en = document.body.dataset.lang === 'en';
    button.disabled = true;
    status.textContent = en ? 'Training…' : '正在训练…';
    const result = await send('POST', '/api/v1/routing/train', {});
    button.disabled = false;
    status.textContent = '';
    if (!result.ok) { fail(train, result.data); return; }
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
