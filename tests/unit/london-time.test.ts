import assert from 'node:assert/strict';
import { test } from 'node:test';
import { londonDate, londonTime } from '../../src/domains/cases/timers.ts';

const intl = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

test('the fast London clock agrees with the time zone database every 15 minutes around each clock change, 2024-2030', () => {
  for (let year = 2024; year <= 2030; year++) {
    for (const month of [2, 9]) {
      const start = Date.UTC(year, month, 20);
      for (let t = start; t < start + 14 * 86_400_000; t += 15 * 60_000) {
        const p = Object.fromEntries(intl.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
        assert.equal(londonDate(t), `${p.year}-${p.month}-${p.day}`, new Date(t).toISOString());
        const wall = londonTime(Number(p.year), Number(p.month), Number(p.day), Number(p.hour) + Number(p.minute) / 60);
        if (!(p.hour === '01' && month === 9)) assert.equal(wall, t, `wall clock round trip at ${new Date(t).toISOString()}`);
      }
    }
  }
});
