"""What ``dig dynamodb.us-east-1.amazonaws.com`` returns now, in dig's layout."""

from __future__ import annotations

from rich.text import Text

from tui.app.widgets.panel import Panel
from tui.clock import from_sim
from tui.session.views import DnsView, display_name

ALARM = "bold white on red"


def _fit(name: str, room: int) -> str:
    return name if len(name) <= room else name[: max(room - 1, 1)] + "…"


def dig_text(dns: DnsView, width: int = 80) -> Text:
    """The answer as dig prints it, plus which plan and Enactor wrote it and what resolvers cache."""
    out = Text(no_wrap=True, overflow="ellipsis")
    out.append(f"; <<>> DiG <<>> {dns.endpoint}\n", style="dim")
    if width >= 50:
        out.append(";; ->>HEADER<<- opcode: QUERY, status: NOERROR\n")
        out.append(";; flags: qr rd ra; QUERY: 1, ")
    else:  # narrow: keep the status and the answer count, drop the rest of the header
        out.append(";; ->>HEADER<<- status: NOERROR\n")
        out.append(";; QUERY: 1, ")
    if dns.empty:
        out.append("ANSWER: 0", style=ALARM)
    else:
        out.append(f"ANSWER: {len(dns.records)}", style="bold green")
    out.append("\n;; ANSWER SECTION:\n", style="dim")
    rtype = "AAAA" if any(":" in r for r in dns.records) else "A"
    for record in dns.records:
        tail = f" {dns.ttl} IN {rtype} {record}"
        out.append(_fit(dns.endpoint + ".", max(width - len(tail), 8)) + tail + "\n")
    named = {"operator": "an operator", "initial": "the automation before the run"}
    writer = named.get(dns.writer or "") or (display_name(f"enactor/{dns.writer}") if dns.writer else "?")
    if dns.empty:
        out.append(f";; alias → plan {dns.plan}: tree deleted, no records\n", style=ALARM)
        out.append(f";; last written by {writer}\n")
    else:
        out.append(f";; plan {dns.plan}, written by {writer}\n", style="cyan")
    res = dns.resolvers
    seen = ", ".join(f"{n} plan {p}" for p, n in res.plans[:2]) or "none positive"
    out.append(f";; resolvers: {seen}")
    if res.negative:
        until = from_sim(res.negative_until).strftime("%H:%M") if res.negative_until is not None else "?"
        out.append(f"; {res.negative} NODATA", style="bold red")
        out.append(f" (cached to {until})")
    return out


class DnsPanel(Panel):
    """The DNS answer panel; its border turns red while the answer is empty."""

    dns: DnsView | None = None

    def show(self, dns: DnsView) -> None:
        self.dns = dns
        self.set_class(dns.empty, "alarm")
        self.border_title = "dig " + ("· ANSWER: 0" if dns.empty else f"· {len(dns.records)} records")
        self.show_body(dig_text(dns, self.content_size.width or 80))

    def on_resize(self) -> None:
        if self.dns is not None:
            self.show_body(dig_text(self.dns, self.content_size.width or 80))
