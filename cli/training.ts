/**
 * What every `llmcore train <chapter>` command does around the shared Trainer, written once: a progress
 * bar on a terminal (a line every 30 s in a log), Ctrl-C / SIGTERM / SIGHUP that stop after the current
 * step and save, the run's folder (last/ for --resume, best/, log.jsonl) and the summary line. A
 * diverging run (non-finite loss) stops with an error and keeps its last good checkpoint.
 */
import cliProgress from 'cli-progress';
import { appendRunLog, replaceDirectory, rewriteRunLog, saveCheckpoint, type RunPaths } from '../src/train/run-dir.js';
import type { EvalRecord, Metrics, StopReason, Trainer } from '../src/train/trainer.js';
import { onStopSignals } from './stop-signals.js';
import { formatSeconds } from './options.js';

export interface TrainingRun<M extends Metrics> {
  trainer: Trainer<M>;
  /** The run folder; without one the run is kept in memory only (nothing saved). */
  paths?: RunPaths;
  /** Writes the model directory (weights recording `step`, tokenizer, config) into `dir`. */
  writeModel: (dir: string, step: number) => Promise<void>;
  /** Runs after the trainer stops (done, budget, signal), before the summary: e.g. a last save. */
  after?: () => Promise<void>;
  /** One line about an evaluation, e.g. "dev loss 2.84, BLEU 27.90, chrF 45.39". */
  describeEval: (record: EvalRecord<M> & { trainLoss: number }) => string;
  /** The unit of the throughput figure ("tok/s"). */
  unit?: string;
  json?: boolean;
  log: (line: string) => void;
}

export interface TrainingOutcome<M extends Metrics> {
  reason: StopReason;
  steps: number;
  epochs: number;
  seconds: number;
  perSecond: number;
  best: (EvalRecord<M> & { trainLoss: number }) | null;
  history: (EvalRecord<M> & { trainLoss: number })[];
}

const WHY: Record<StopReason, string> = {
  done: 'finished its epochs', time: 'time budget used up', steps: 'step limit reached', stopped: 'stopped by a signal',
};

/** Runs the trainer with progress, signals and checkpoints; sets the exit code when a signal stopped it. */
export async function runTraining<M extends Metrics>(run: TrainingRun<M>): Promise<TrainingOutcome<M>> {
  const { trainer, paths, log } = run;
  const say = run.json ? () => {} : log;
  const unit = run.unit ?? 'tok/s';
  const task = trainer.task;
  // a resumed run's log is its restored history: lines written after its checkpoint (a kill between the
  // two) would otherwise appear twice
  if (paths && trainer.state.step > 0) await rewriteRunLog(paths, trainer.state.history);
  const stop = onStopSignals(log, 'stopping after this step and saving');
  const bar = !run.json && process.stderr.isTTY
    ? new cliProgress.SingleBar({
      format: `epoch {epoch} |{bar}| {value}/{total} | step {step} | loss {loss} | {rate} ${unit} | ETA {eta_formatted}`,
      stream: process.stderr, hideCursor: true, clearOnComplete: true,
    }, cliProgress.Presets.shades_classic)
    : null;
  let barEpoch = -1;
  let lastPrint = trainer.state.seconds;
  let rateSum = 0;
  let rateWeight = 0;
  const budget = trainer.config.timeBudgetSeconds;
  let reason: StopReason;
  try {
    reason = await trainer.run({
      signal: stop.signal,
      onStep: (s) => {
        // an exponentially weighted rate: steady on a terminal, yet following a change of batch shape
        rateSum = 0.98 * rateSum + s.tokensPerSecond;
        rateWeight = 0.98 * rateWeight + 1;
        const rate = Math.round(rateSum / rateWeight);
        if (bar) {
          if (barEpoch !== s.epoch) {
            bar.stop();
            bar.start(s.batches, s.batch - 1, { epoch: s.epoch + 1, step: s.step, loss: '-', rate: '-' });
            barEpoch = s.epoch;
          }
          bar.update(s.batch, { epoch: s.epoch + 1, step: s.step, loss: s.loss.toFixed(3), rate });
        } else if (s.seconds - lastPrint >= 30) {
          lastPrint = s.seconds;
          const left = budget > 0 ? `, budget left ${formatSeconds(Math.max(0, budget - s.seconds))}` : '';
          say(`epoch ${s.epoch + 1} batch ${s.batch}/${s.batches} step ${s.step}: loss ${s.loss.toFixed(3)}, lr ${s.lr.toExponential(2)}, ${rate} ${unit}, ${formatSeconds(s.seconds)} trained${left}`);
        }
      },
      onEval: async (r, isBest) => {
        bar?.stop();
        barEpoch = -1;
        if (paths) await appendRunLog(paths, r);
        say(`epoch ${r.epoch}${r.complete ? '' : ' (partial)'} (step ${r.step}): train loss ${r.trainLoss.toFixed(3)}, ${run.describeEval(r)}${isBest ? '  (best so far, saved)' : ''}  [${formatSeconds(trainer.state.seconds)} trained, evaluation ${r.evalSeconds.toFixed(0)} s]`);
      },
      save: paths ? async (kind) => {
        if (kind === 'best') await replaceDirectory(paths.best, (dir) => run.writeModel(dir, trainer.state.step));
        else await saveCheckpoint(paths.last, { trainer, optimizer: task.optimizer, scheduler: task.scheduler, writeModel: run.writeModel });
      } : undefined,
    });
  } finally {
    bar?.stop();
    stop.dispose();
  }
  const code = stop.exitCode();
  // a signal that arrived as the run was finishing anyway changes nothing about how it ended
  if (code !== undefined && reason === 'stopped') process.exitCode = code;
  const s = trainer.state;
  const best = trainer.bestRecord;
  const perSecond = s.trainTokens / Math.max(s.seconds, 1e-9);
  say(`${WHY[reason]}: ${s.step} steps, ${s.epoch} epochs, ${formatSeconds(s.seconds)} of training, ${Math.round(perSecond).toLocaleString('en')} ${unit} on average${paths ? `; saved ${paths.last}${best ? `; best ${task.selection.metric} ${Number(best[task.selection.metric]).toFixed(3)} (epoch ${best.epoch}) in ${paths.best}` : ''}` : ''}`);
  return { reason, steps: s.step, epochs: s.epoch, seconds: s.seconds, perSecond, best, history: s.history };
}
