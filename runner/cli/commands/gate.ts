// `uigate gate --run <id>`: evaluates the gate policy (uigate.config.ts `gate`) on a run, prints
// each rule with what was measured and the threshold, records the decision as a run event, opens
// the run's approval request, and exits 0 when the run may go on to approval, 1 when not.
import { loadConfig } from '../../config/config.ts';
import { EXIT, UsageError } from '../../core/errors.ts';
import { openRequest } from '../../gate/approvals.ts';
import { judgeRun } from '../../gate/judge.ts';
import { formatDecision } from '../../gate/policy.ts';
import { parseRunId } from '../../core/model.ts';
import { createNotifier, runLink } from '../../notify/from-config.ts';
import { openStore } from '../../store/open-store.ts';
import type { CommandIO } from '../io.ts';

export interface GateFlags {
  config?: string;
  run: string;
  json?: boolean;
  /** commander turns --no-request into request: false. */
  request?: boolean;
}

export async function gateCommand(flags: GateFlags, io: CommandIO): Promise<number> {
  parseRunId(flags.run);
  const config = await loadConfig(io.cwd, flags.config, io.env);
  const { store } = await openStore(config.store);
  try {
    const judged = await judgeRun(store, flags.run, config.gate, 'uigate gate');
    if (!judged) throw new UsageError(`no run ${flags.run} in the store; list runs with \`npx uigate serve\``);
    const { run, decision } = judged;
    io.stderr.write(`${formatDecision(decision)}\n`);
    let approval: string | undefined;
    if (flags.request !== false && run.status !== 'running') {
      const { view, superseded } = await openRequest({
        store,
        run,
        gate: decision,
        settings: config.approval,
        actor: 'uigate gate',
        notifier: createNotifier(config, io.stderr),
        link: runLink(config, run.runId),
      });
      approval = view.state;
      for (const older of superseded) io.stderr.write(`approval request of run ${older} superseded by this run\n`);
      io.stderr.write(
        `approval: ${view.state}${view.state === 'pending' ? ` until ${view.request!.expiresAt} — \`uigate approve --run ${run.runId} --comment "..."\`` : ''}\n`,
      );
    }
    if (flags.json) io.stdout.write(JSON.stringify({ runId: run.runId, ...decision, approval }) + '\n');
    return decision.passed ? EXIT.ok : EXIT.testsFailed;
  } finally {
    await store.close();
  }
}
