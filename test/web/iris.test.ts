// Page 02-iris in Chromium: the page's leave-one-out accuracy and a typed flower's neighbours are
// the ones src/classic computes in Node (`llmcore iris`'s code); a click classifies a point; the
// other classifiers draw their regions; an uploaded CSV is used, and a broken one, bad typed input
// and bad URL state are messages; screenshots on a desktop and a phone-sized viewport.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KNeighborsClassifier, leaveOneOut, SVC, crossValidate, stratifiedKFold } from '../../src/classic/index.js';
import { loadIris } from '../../src/data/iris.js';
import { chromiumSkip, openPage, screenshot, startPlayground, waitReady, type Page } from './harness.js';

const iris = loadIris();

async function scoreOf(page: Page): Promise<number> {
  await page.waitForSelector('[data-testid="score"][data-ready="true"]', { timeout: 45_000 });
  return Number(await page.getAttribute('[data-testid="score"]', 'data-accuracy'));
}

async function typeFlower(page: Page, values: string[]): Promise<void> {
  const inputs = page.locator('[data-testid="query-inputs"] input');
  for (let i = 0; i < values.length; i++) await inputs.nth(i).fill(values[i]);
  await page.click('[data-testid="classify"]');
}

/** The message shown, then dismissed so the next check sees only its own. */
async function errorText(page: Page): Promise<string> {
  await page.waitForSelector('[data-testid="error"]:not([hidden])', { timeout: 10_000 });
  const text = (await page.textContent('[data-testid="error"] span')) ?? '';
  await page.click('[data-testid="error"] .close');
  return text;
}

async function upload(page: Page, name: string, text: string | Buffer): Promise<void> {
  await page.setInputFiles('[data-testid="csv"]', { name, mimeType: 'text/csv', buffer: Buffer.isBuffer(text) ? text : Buffer.from(text) });
}

test('02-iris: neighbours, votes and accuracy as in Node; clicks, classifiers, CSV upload and bad input', { skip: chromiumSkip(), timeout: 180_000 }, async () => {
  const pl = await startPlayground();
  try {
    const { page, errors, close } = await openPage(pl.url + '?page=02-iris&lang=en');
    try {
      await waitReady(page);
      await page.waitForSelector('[data-testid="plot"][data-regions="ready"]', { timeout: 45_000 });
      assert.equal(await page.locator('[data-testid="plot"] circle').count(), 150);
      const loo5 = leaveOneOut(() => new KNeighborsClassifier({ k: 5 }), iris.x, iris.y).accuracy;
      assert.equal(await scoreOf(page), loo5, 'leave-one-out accuracy for k = 5 as in Node');

      // a typed flower: the prediction, the 5 neighbours with their distances, the votes
      await typeFlower(page, ['6.1', '2.8', '4.7', '1.2']);
      await page.waitForSelector('[data-testid="neighbors"]');
      const knn = new KNeighborsClassifier({ k: 5 }).fit(iris.x, iris.y);
      const q = [[6.1, 2.8, 4.7, 1.2]];
      const expected = iris.classes[knn.predict(q)[0]];
      assert.equal(await page.textContent('[data-testid="predicted"]'), expected);
      const nb = knn.kneighbors(q);
      const rows = await page.$$eval('[data-testid="neighbors"] tr', (trs) => trs.slice(1).map((tr) => Array.from(tr.children).map((td) => td.textContent)));
      assert.deepEqual(rows.map((r) => Number(r[1]) - 1), nb.indices[0], 'the same five neighbours, nearest first');
      assert.deepEqual(rows.map((r) => r[2]), nb.distances[0].map((d) => d.toFixed(4)));
      assert.equal(await page.locator('[data-neighbor="true"]').count(), 5, 'the neighbours are highlighted in the plot');
      const votes = knn.predictProba(q)[0].map((p, c) => `${iris.classes[c]} ${Math.round(p * 5)}`).join(', ');
      assert.equal(await page.textContent('[data-testid="votes"]'), `votes: ${votes}`);
      assert.equal(new URL(page.url()).searchParams.get('q'), '6.1,2.8,4.7,1.2');
      await screenshot(page, '02-iris');

      // a click anywhere classifies that point of the two plotted features
      const box = (await page.locator('[data-testid="plot"]').boundingBox())!;
      await page.mouse.click(box.x + box.width * 0.3, box.y + box.height * 0.6);
      await page.waitForFunction(() => new URL(location.href).searchParams.has('at'));
      await page.waitForSelector('[data-testid="neighbors"]');
      assert.equal(await page.locator('[data-neighbor="true"]').count(), 5);

      // k and the metric: the accuracy follows, as in Node
      await page.fill('[data-testid="k"]', '7');
      await page.dispatchEvent('[data-testid="k"]', 'change');
      await page.selectOption('[data-testid="metric"]', 'manhattan');
      const loo7m = leaveOneOut(() => new KNeighborsClassifier({ k: 7, metric: 'manhattan' }), iris.x, iris.y).accuracy;
      await page.waitForFunction((v) => document.querySelector('[data-testid="score"]')?.getAttribute('data-accuracy') === String(v), loo7m, { timeout: 45_000 });
      assert.equal(new URL(page.url()).searchParams.get('k'), '7');
      assert.equal(new URL(page.url()).searchParams.get('metric'), 'manhattan');

      // another classifier of chapter 2: its regions and its 10-fold accuracy
      await page.selectOption('[data-testid="arch"]', 'svm');
      await page.waitForSelector('[data-testid="plot"][data-regions="ready"]', { timeout: 45_000 });
      const svm = crossValidate(() => new SVC({ kernel: 'rbf' }), iris.x, iris.y, stratifiedKFold(iris.y, 10)).accuracy;
      await page.waitForFunction((v) => document.querySelector('[data-testid="score"]')?.getAttribute('data-accuracy') === String(v), svm, { timeout: 45_000 });
      assert.equal(await page.isHidden('[data-testid="k"]'), true, 'k belongs to KNN only');
      await page.selectOption('[data-testid="arch"]', 'knn');

      // bad typed input: a message, never a blank page
      await typeFlower(page, ['abc', '1', '1', '1']);
      assert.match(await errorText(page), /sepal_length must be a finite number, got 'abc'/);
      await typeFlower(page, ['', '1', '1', '1']);
      assert.match(await errorText(page), /sepal_length: empty/);
      await typeFlower(page, ['9'.repeat(10_000), '1', '1', '1']);
      const long = await errorText(page);
      assert.match(long, /must be a finite number/);
      assert.ok(long.length < 300, 'a 10,000-character input is not echoed whole');
      await typeFlower(page, ['1e300', '1', '1', '1']);
      await page.waitForSelector('[data-testid="predicted"]');
      assert.deepEqual(errors, []);

      // an uploaded CSV: two classes on two features, the class column last
      const csv = 'height,weight,kind\n1,1,a\n1.2,0.9,a\n0.8,1.1,a\n5,5,b\n5.2,4.8,b\n4.9,5.3,b\n';
      await upload(page, 'mine.csv', csv);
      await page.waitForFunction(() => document.querySelector('[data-testid="data-name"]')?.textContent?.startsWith('mine.csv (6 × 2, 2 classes)'));
      await page.waitForSelector('[data-testid="plot"][data-regions="ready"]', { timeout: 45_000 });
      await page.fill('[data-testid="k"]', '3');
      await page.dispatchEvent('[data-testid="k"]', 'change');
      await typeFlower(page, ['4.5', '4.5']);
      await page.waitForFunction(() => document.querySelector('[data-testid="predicted"]')?.textContent === 'b');
      assert.equal(await page.locator('[data-testid="neighbors"] tr').count(), 4);

      // broken files: each a message naming the file and the reason
      await upload(page, 'ragged.csv', 'a,b,c\n1,2,x\n3,4\n');
      assert.match(await errorText(page), /ragged\.csv: line 3: expected 3 columns/);
      await upload(page, 'words.csv', 'a,b,c\n1,two,x\n3,4,y\n');
      assert.match(await errorText(page), /words\.csv: line 2, column 'b': expected a number, got 'two'/);
      await upload(page, 'empty.csv', '');
      assert.match(await errorText(page), /empty\.csv: the file is empty/);
      await upload(page, 'image.csv', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]));
      assert.match(await errorText(page), /image\.csv: not a CSV file/);
      await upload(page, 'iris.data', '5.1,3.5,1.4,0.2,Iris-setosa\n4.9,3.0,1.4,0.2,Iris-setosa\n7.0,3.2,4.7,1.4,Iris-versicolor\n');
      assert.match(await errorText(page), /the first line looks like data/);
      await page.uncheck('[data-testid="csv-header"]');
      await page.waitForFunction(() => document.querySelector('[data-testid="data-name"]')?.textContent?.startsWith('iris.data (3 × 4, 2 classes)'));
      await page.click('[data-testid="use-iris"]');
      await page.waitForFunction(() => document.querySelector('[data-testid="data-name"]')?.textContent?.startsWith('Iris'));
      assert.deepEqual(errors, []);

      // bad URL state: messages, and the page runs on its defaults
      await page.goto(pl.url + '?page=02-iris&lang=en&k=abc&metric=cosine');
      await waitReady(page);
      const both = await errorText(page);
      assert.match(both, /metric must be one of euclidean, manhattan, got 'cosine'/);
      assert.match(both, /k must be an integer from 1 to 50, got 'abc'/);
      await page.goto(pl.url + '?page=02-iris&lang=en&k=1000');
      await waitReady(page);
      assert.match(await errorText(page), /k must be an integer from 1 to 50, got '1000'/);
      await page.goto(pl.url + `?page=02-iris&lang=en&q=${'x'.repeat(10_000)}`);
      await waitReady(page);
      assert.match(await errorText(page), /q: needs 4 comma-separated numbers/);
      assert.equal(await page.locator('[data-testid="plot"] circle').count(), 150);
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
    // a link reproduces the state, on a phone-sized screen, in Chinese
    const phone = await openPage(pl.url + '?page=02-iris&lang=zh&k=3&x=sepal_length&y=sepal_width&q=5.9,3.0,5.1,1.8', { viewport: { width: 390, height: 844 } });
    try {
      await waitReady(phone.page);
      await phone.page.waitForSelector('[data-testid="neighbors"]');
      assert.equal(await phone.page.locator('[data-neighbor="true"]').count(), 3);
      assert.equal(await phone.page.inputValue('[data-testid="k"]'), '3');
      await phone.page.waitForSelector('[data-testid="plot"][data-regions="ready"]', { timeout: 45_000 });
      const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `no horizontal scrolling on a phone (${overflow} px too wide)`);
      await screenshot(phone.page, '02-iris-phone');
      assert.deepEqual(phone.errors, []);
    } finally {
      await phone.close();
    }
  } finally {
    await pl.close();
  }
});
