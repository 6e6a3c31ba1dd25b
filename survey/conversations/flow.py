"""The page flow shared by the project leader's conversation and the employee's own update:
pages of the interview guide → review → save as a revision, or a conflict page.

Views in conversations/views.py and conversations/wishes.py build a Flow and hand requests
to it; the Flow knows whose document it is, who writes, and where its pages live."""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from survey import engine
from survey.accounts.models import Person
from survey.answering import presenting
from survey.audit.services import Action, record
from survey.conversations import services
from survey.conversations.models import Draft, DraftKind
from survey.db import today
from survey.engine.definition import EMPLOYEE_AUDIENCE, WRITTEN_AUDIENCE
from survey.extensions import db
from survey.living import presenting as living_presenting
from survey.living.services import Conflict


def _lang() -> str:
    return str(get_locale() or "nb")


@dataclasses.dataclass
class Flow:
    person: Person  # whose living document
    author: Person  # who writes
    author_role: str
    kind: DraftKind
    endpoint: str  # the blueprint: "conversations" or "wishes"
    url_args: dict[str, Any]
    title: str

    @property
    def audience(self) -> str:
        """The employee updating their own wishes reads the guide as «du»; the leader as written."""
        return EMPLOYEE_AUDIENCE if self.kind is DraftKind.WISHES else WRITTEN_AUDIENCE

    def url(self, view: str, **args: Any) -> str:
        return url_for(f"{self.endpoint}.{view}", **self.url_args, **args)

    def draft(self) -> Draft | None:
        document = living_presenting.existing_document(self.person)
        if document is None:
            return None
        return services.find_draft(document, self.author, self.kind)

    def draft_view(self) -> dict[str, Any] | None:
        """The draft as the start page mentions it (plain data, not the row)."""
        draft = self.draft()
        return None if draft is None else {"updated_at": draft.updated_at}

    def guide_for(self, draft: Draft) -> services.Guide:
        return services.guide(self.kind, draft.questionnaire_version)

    def _audit(self, action: str, detail: dict[str, Any]) -> None:
        document = living_presenting.existing_document(self.person)
        record(
            action,
            actor_id=self.author.id,
            subject_id=self.person.id,
            object_type="living_document",
            object_id=document.id if document else None,
            detail=detail,
        )

    def record_read(self) -> None:
        """Reading someone else's living document is logged (the employee sees it)."""
        if self.person.id != self.author.id:
            self._audit(Action.READ, {"kind": self.kind.value})

    # --- start ----------------------------------------------------------------------------

    def start(self):
        """POST: open (or resume) the draft and go to where it left off."""
        try:
            draft = services.open_draft(self.person, self.author, self.kind)
        except services.GuideMissing:
            abort(503)
        found = self.guide_for(draft)
        answers = services.draft_answers(draft, found)
        names = [page.name for page in found.relevant_pages(answers)]
        if not names:
            abort(404)
        target = draft.last_page if draft.last_page in names else names[0]
        return redirect(self.url("page", name=target))

    def _draft_or_redirect(self):
        draft = self.draft()
        if draft is None:
            if request.method == "POST":
                flash(
                    _("This draft was already saved or discarded. Nothing more was changed."),
                    "error",
                )
            return None, redirect(self.url("start"))
        return draft, None

    # --- pages ----------------------------------------------------------------------------

    def page(self, name: str):
        draft, redirect_response = self._draft_or_redirect()
        if redirect_response is not None:
            return redirect_response
        found = self.guide_for(draft)
        try:
            current = found.questionnaire.page(name)
        except KeyError:
            abort(404)
        if name not in found.pages:
            abort(404)
        answers = services.draft_answers(draft, found)
        relevant = [page.name for page in found.relevant_pages(answers)]
        if name not in relevant:
            return redirect(self.url("page", name=relevant[0]))
        lang = _lang()
        if request.method == "GET":
            return self._render_page(found, current, answers, lang)

        action = request.form.get("action", "next")
        shown = set(request.form.get("shown", "").split())
        result = engine.read_page(
            found.questionnaire, current, request.form.to_dict(flat=False), answers, shown, today()
        )
        if action == "back":
            valid = {k: v for k, v in result.values.items() if k not in result.errors}
            merged = {**answers, **{k: v for k, v in valid.items() if v is not None}}
            previous = found.previous_page(merged, name)
            services.store_page(
                draft, found, current, valid, answers, previous.name if previous else None
            )
            if previous is None:
                return redirect(self.url("start"))
            return redirect(self.url("page", name=previous.name))
        if result.errors:
            raw = presenting.raw_form_values(current, request.form)
            merged = {**answers, **{k: v for k, v in result.values.items() if v is not None}}
            return self._render_page(
                found, current, merged, lang, raw=raw, errors=result.errors, status=422
            )
        merged = {**answers, **{k: v for k, v in result.values.items() if v is not None}}
        following = None if result.revealed else found.next_page(merged, name)
        services.store_page(
            draft, found, current, result.values, answers, following.name if following else None
        )
        if result.revealed:
            flash(_("The answer brought up more questions on this page."), "info")
            return redirect(self.url("page", name=name, _anchor=f"q-{result.revealed[0]}"))
        if request.form.get("return_to") == "review" or following is None:
            return redirect(self.url("review"))
        return redirect(self.url("page", name=following.name))

    def _render_page(self, found, current, answers, lang, *, raw=None, errors=None, status=200):
        position, total, settled = found.progress(answers, current.name)
        questions = presenting.page_questions(
            found.questionnaire,
            current,
            answers,
            lang,
            today=today(),
            raw=raw,
            errors=errors,
            audience=self.audience,
        )
        error_list = [(q["name"], q["label"], q["error"]) for q in questions if q["error"]]
        return render_template(
            "conversations/page.html",
            flow=self,
            page={"name": current.name, "title": current.title_for(self.audience).get(lang)},
            questions=questions,
            shown=presenting.visible_names(questions),
            errors=error_list,
            position=position,
            total=total,
            settled=settled,
            answers_json={
                name: engine.serialize(found.questionnaire.question(name), value)
                for name, value in answers.items()
            },
            return_to=request.values.get("return_to", ""),
        ), status

    # --- review and save ------------------------------------------------------------------

    def review(self):
        draft, redirect_response = self._draft_or_redirect()
        if redirect_response is not None:
            return redirect_response
        found = self.guide_for(draft)
        answers = services.draft_answers(draft, found)
        return render_template(
            "conversations/review.html",
            flow=self,
            sections=presenting.review_sections(
                found.questionnaire,
                found.relevant_pages(answers),
                answers,
                _lang(),
                today=today(),
                edit_url=lambda name: self.url("page", name=name, return_to="review"),
                audience=self.audience,
            ),
            missing=len(found.missing_required(answers)),
        )

    def save(self, done_url: str):
        draft, redirect_response = self._draft_or_redirect()
        if redirect_response is not None:
            return redirect_response
        found = self.guide_for(draft)
        answers = services.draft_answers(draft, found)
        if found.missing_required(answers):
            flash(_("Some required questions are not answered yet."), "error")
            return redirect(self.url("review"))
        try:
            revision = services.save_draft(draft, found, self.author, self.author_role)
        except Conflict:  # nothing was saved
            return redirect(self.url("conflict"))
        self._audit(Action.CHANGE, {"revision": revision.number, "kind": self.kind.value})
        flash(_("Saved as version %(number)d.", number=revision.number), "info")
        return redirect(done_url)

    # --- conflict -------------------------------------------------------------------------

    def conflict(self, done_url: str):
        draft, redirect_response = self._draft_or_redirect()
        if redirect_response is not None:
            return redirect_response
        found = self.guide_for(draft)
        comparison = services.compare(draft, found)
        if comparison is None:  # nothing was saved in between any more
            return redirect(self.url("review"))
        lang = _lang()
        if request.method == "POST":
            choice = request.form.get("choice")
            seen = request.form.get("current", "")
            if not seen.isdigit() or int(seen) != comparison.current.number:
                flash(_("The document changed again. Compare the versions once more."), "error")
                return redirect(self.url("conflict"))
            if choice == "mine":
                try:
                    revision = services.save_draft(
                        draft, found, self.author, self.author_role, on_top_of=int(seen)
                    )
                except Conflict:  # nothing was saved
                    flash(_("The document changed again. Compare the versions once more."), "error")
                    return redirect(self.url("conflict"))
                self._audit(
                    Action.CHANGE,
                    {"revision": revision.number, "kind": self.kind.value, "conflict": True},
                )
                flash(_("Saved as version %(number)d.", number=revision.number), "info")
                return redirect(done_url)
            if choice == "theirs":
                services.discard(draft)
                flash(_("Your draft was discarded. The saved version stays."), "info")
                return redirect(done_url)
            abort(400)
        questions = {q.name: q for q in found.questionnaire.questions}
        rows = []
        for change in comparison.fields:
            rows.append(
                {
                    "label": living_presenting.label(questions, change.field, lang, self.audience),
                    "theirs": living_presenting.display(
                        questions, change.field, change.old, lang, self.audience
                    ),
                    "mine": living_presenting.display(
                        questions, change.field, change.new, lang, self.audience
                    ),
                }
            )
        author = (
            db.session.get(Person, comparison.current.author_id)
            if comparison.current.author_id
            else None
        )
        return render_template(
            "conversations/conflict.html",
            flow=self,
            rows=rows,
            current={
                "number": comparison.current.number,
                "created_at": comparison.current.created_at,
                "author": author.name if author else None,
                "source": str(
                    living_presenting.SOURCE_LABELS.get(
                        comparison.current.source, comparison.current.source.value
                    )
                ),
            },
            base=draft.base_revision,
        ), 409

    def discard(self, done_url: str):
        draft = self.draft()
        if draft is not None:
            services.discard(draft)
            flash(_("The draft was discarded."), "info")
        return redirect(done_url)
