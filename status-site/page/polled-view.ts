// A top-level view that polls the API while it is shown: the runs list and the Releases page.
// Its crumbs are empty: the header's own links name it.
import { Poller } from './poller.ts';
import { Slots } from './slots.ts';

export abstract class PolledView {
  protected readonly slots: Slots;
  protected stopped = false;
  private readonly poller: Poller;

  constructor(
    root: HTMLElement,
    private readonly setCrumbs: (...parts: (string | Node)[]) => void,
    refreshMs: number,
  ) {
    this.slots = new Slots(root);
    this.poller = new Poller(refreshMs, () => this.refresh());
  }

  async start() {
    this.setCrumbs();
    this.poller.start();
  }

  stop() {
    this.stopped = true;
    this.poller.stop();
  }

  /** Reads and draws once; answers whether to poll again. */
  protected abstract refresh(): Promise<boolean>;
}
