"""Details: the four details a request needs, and whether this mail answers a held request."""

from __future__ import annotations

from parsing import parse_message
from parsing.answer import answer_details
from parsing.details import ALL_DETAILS, LABELS, extract_details
from tickets import pending as pending_requests
from tickets.details import gather, merge
from tickets.models import PendingRequest
from tickets.pipeline.context import Intake


class Details:
    name = "details"

    def run(self, intake: Intake) -> None:
        if not intake.sender or intake.is_staff:
            return
        region = intake.policy.intake.phone_region
        waiting = None
        if not intake.auto_reply:
            waiting = pending_requests.answered_by(intake.session, intake.sender, intake.parsed)
        if waiting is not None:
            self._answer(intake, waiting, region)
            return
        intake.read = (intake.read_ahead if intake.read_ahead is not None
                       else extract_details(intake.parsed, region=region))
        intake.details = gather(
            intake.read,
            contact=intake.contact,
            company=intake.company,
        )
        missing = intake.details.missing(intake.policy.intake.required_details)
        if missing:
            intake.decide(self.name, "missing " + ", ".join(LABELS[m] for m in missing))
        else:
            intake.decide(self.name, "all details given")
        if explained := intake.details.explain():
            intake.decide(self.name, explained)

    def _answer(self, intake: Intake, waiting: PendingRequest, region: str) -> None:
        original_inbound = pending_requests.original_inbound(intake.session, waiting)
        original = parse_message(
            original_inbound.raw, max_attachment_bytes=intake.policy.intake.max_attachment_bytes
        )
        first = gather(
            extract_details(original, region=region),
            contact=intake.contact,
            company=intake.company,
        )
        answer = answer_details(intake.parsed, first.missing(ALL_DETAILS), region)
        intake.pending, intake.answer = waiting, intake.parsed
        intake.parsed = original  # the ticket is the original request, completed
        intake.details = merge(first, answer)
        still = intake.details.missing(intake.policy.intake.required_details)
        intake.decide(
            self.name,
            f"answers the request for details #{waiting.id}"
            + (f"; still missing {', '.join(LABELS[m] for m in still)}" if still
               else "; now complete"),
        )
        if explained := intake.details.explain():
            intake.decide(self.name, explained)
