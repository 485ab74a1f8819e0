// Polls only while someone can see the page. A tab left in the background on a long run would ask
// the status API every 1.5 s for nothing — in AWS, a Lambda invocation and DynamoDB reads each time.
export class Poller {
  private timer: number | undefined;
  private stopped = false;
  private parked = false;
  private readonly onVisibility = () => {
    if (document.hidden || !this.parked) return;
    this.parked = false;
    void this.tick();
  };

  /** `task` answers whether to go on polling. */
  constructor(
    private readonly intervalMs: number,
    private readonly task: () => Promise<boolean>,
  ) {}

  start() {
    document.addEventListener('visibilitychange', this.onVisibility);
    void this.tick();
  }

  stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    document.removeEventListener('visibilitychange', this.onVisibility);
  }

  private async tick() {
    if (this.stopped) return;
    // Hidden: wait for the tab to be seen again, then fetch at once rather than after the interval.
    if (document.hidden) {
      this.parked = true;
      return;
    }
    const goOn = await this.task();
    if (goOn && !this.stopped) this.timer = window.setTimeout(() => void this.tick(), this.intervalMs);
  }
}
