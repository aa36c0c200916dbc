// Suban's pages: small progressive enhancements over server-rendered HTML. Actions call the same JSON API as any
// client (cookie sign-in); errors come back as RFC 7807 problems naming the field, shown next to that field.
(function () {
  'use strict';
  const en = document.body.dataset.lang === 'en';
  const t = (zh, english) => (en ? english : zh);

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
      document.getElementById('status-state').textContent = s.state;
      const list = document.getElementById('status-timeline');
      list.replaceChildren(...s.timeline.map((e) => {
        const li = document.createElement('li');
        const time = document.createElement('time');
        time.textContent = new Date(e.at).toLocaleString(en ? 'en-GB' : 'zh-CN', { timeZone: 'Asia/Shanghai' });
        const what = document.createElement('strong');
        what.textContent = e.action;
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
    queue.addEventListener('change', (event) => {
      const radio = event.target;
      if (radio.type === 'radio' && radio.dataset.lead) {
        radio.closest('form').querySelector('input[name=lead]').value = radio.dataset.lead;
      }
    });
    queue.addEventListener('submit', async (event) => {
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
