/** The consultation charts' text alternative: the answer given most, or every answer tied for most. */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { describeChart } from '../../src/web/consultations/chart.ts';
import { loadLocales } from '../../src/platform/i18n/index.ts';

before(() => loadLocales('content'));

test('a chart\'s text alternative names the answer given most, and every answer of a tie', () => {
  assert.equal(describeChart('Do you feel safe?', [{ label: 'Yes', count: 1 }, { label: 'No', count: 3 }], 4), 'Bar chart of Do you feel safe?: 4 answered; the most given answer was No (3). The table gives every figure.');
  assert.equal(describeChart('Pick', [{ label: 'Yes', count: 1 }, { label: 'No', count: 1 }, { label: 'Maybe', count: 1 }], 3), 'Bar chart of Pick: 3 answered; the answers given most, 1 each, were Yes, No and Maybe. The table gives every figure.');
  assert.match(describeChart('Dewis', [{ label: 'Ie', count: 2 }, { label: 'Na', count: 2 }], 4, 'cy'), /Ie a Na/);
  assert.equal(describeChart('Empty', [{ label: 'Yes', count: 0 }], 0), 'Empty: no answers yet.');
});
