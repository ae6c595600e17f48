"""Read every email of an outbox as its customer would: languages, fallbacks, mixed sentences, double apologies.

Usage (after ``forewarn outreach`` into an outbox, with the same warehouse)::

    FOREWARN_DATABASE_URL=sqlite:///var/warehouse.db python benchmarks/email_languages.py var/outbox

Prints the counts the issue's targets are about: emails per language, fallbacks with their reason, emails
with a sentence in another language than the email's, emails that apologise twice, emails with an internal
id / placeholder / unexplained error code, and emails not in the customer's language although the
workaround has a usable translation into it.
"""

from __future__ import annotations

import sys
from collections import Counter
from email import policy
from email.parser import BytesParser
from pathlib import Path

from outreach.email_review import review_email
from outreach.language_choice import shipped_locale
from outreach.workaround_lint import translations_from_json
from pipeline.warehouse import make_engine
from sql import statement


def main(outbox: Path) -> int:
    with make_engine().connect() as conn:
        rows = {row.message_id: row for row in conn.execute(statement("message_select_sent_languages"))}
    languages: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    for path in sorted(outbox.glob("*.eml")):
        email = BytesParser(policy=policy.default).parse(path.open("rb"))
        row = rows.get(path.stem)
        if row is None:
            continue
        language = row.language or "en"  # recorded by delivery: the one language the message was written in
        review = review_email(str(email["Subject"]), email.get_body(("plain",)).get_content(),
                              email.get_body(("html",)).get_content(), language)
        languages[language] += 1
        counts["emails"] += 1
        counts["mixed_language"] += review.mixed_language
        counts["double_apology"] += review.double_apology
        counts["other_problems"] += bool(review.problems) and not (review.mixed_language or review.double_apology)
        if row.language_reason and row.language_reason != "customer's language":
            reasons[f"{row.language}: {row.language_reason}"] += 1
        wanted = shipped_locale(row.locale or "en")  # None: no templates in the customer's language at all
        usable = {t.locale for t in translations_from_json(row.translations) if not t.problem} | {"en"}
        if wanted in usable:
            counts["translated_workaround_exists"] += 1
            counts["not_in_customer_language"] += language != wanted
        for problem in review.problems[:3]:
            print(f"{path.name}: {problem}")
    print(f"emails: {counts['emails']}; by language: {dict(languages.most_common())}")
    print(f"fell back: {dict(reasons.most_common())}")
    print(f"mixed language: {counts['mixed_language']}; double apology: {counts['double_apology']}; "
          f"other problems: {counts['other_problems']}")
    print(f"customer's language had a usable workaround: {counts['translated_workaround_exists']}, "
          f"of which not in it: {counts['not_in_customer_language']}")
    return 1 if counts["mixed_language"] or counts["double_apology"] or counts["not_in_customer_language"] else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(Path(sys.argv[1])))
