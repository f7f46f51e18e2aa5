/** Scenario 8 (peers) as Markdown: the same REST call through the gateway and through Portkey. */
import { peerLabels, type PeersResult } from '../scenarios/peers.js';

export function peersMarkdown(result: PeersResult): string[] {
  const ratio = (value: number | null) => (value === null ? '–' : `${value.toFixed(2)}×`);
  return [
    `**8. Peers** — one 2K image by URL, REST, ${result.concurrency} concurrent, closed loop; Portkey ${result.portkeyVersion} forwards to the simulator ` +
      `as an OpenAI-compatible custom host and passes its URL through (the shipped gateway hosts every image: the hosting-off row is the like-for-like one).`,
    '',
    '| target | req/s | p50 ms | p99 ms | CPU µs/req | **req/s ÷ Portkey** | other load |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...result.phases.map(
      (p) =>
        `| ${peerLabels[p.target]} | ${p.requestsPerSecond.toFixed(0)} | ${p.latencyMs.p50.toFixed(2)} | ${p.latencyMs.p99.toFixed(2)} | ` +
        `${p.gatewayCpuUsPerRequest === null ? '–' : p.gatewayCpuUsPerRequest.toFixed(0)} | ${ratio(p.target === 'direct' ? null : p.overPortkey)} | ${p.otherCpuPct.toFixed(0)}% |`,
    ),
    '',
    ...(result.notRun === null ? [] : [`Portkey not run: ${result.notRun}`, '']),
  ];
}
