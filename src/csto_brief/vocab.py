"""The brief's words for statuses and verdicts, declared once.

Charts, maps, tables and the prose take their labels from here, so a status reads the same
on a map legend, in a table and in a sentence.
"""

from __future__ import annotations

# Membership status of a state in an alliance (csto_brief.membership derives them from events).
MEMBERSHIP_STATUSES = ("member", "frozen", "suspended", "former")

# As a row or legend entry in a chart or table about the CSTO.
MEMBERSHIP_LABELS = {
    "member": "Member, taking part",
    "frozen": "Member, participation frozen",
    "suspended": "Membership suspended",
    "former": "Former party to the treaty",
}

# On a map, where the legend must name the alliance.
MEMBERSHIP_MAP_LABELS = {s: ("CSTO " + label[0].lower() + label[1:]) if s != "former"
                         else "Former party to the Collective Security Treaty" for s, label in MEMBERSHIP_LABELS.items()}

# The verdict on a claim of the source documents.
VERDICTS = ("holds", "outdated", "wrong", "imprecise", "unverifiable")
VERDICT_LABELS = {"holds": "Holds", "outdated": "Outdated", "wrong": "Wrong", "imprecise": "Imprecise",
                  "unverifiable": "Unverifiable"}

# The question each topic of judgments.csv answers, in the order the brief's table of judgments lists them.
JUDGMENT_QUESTIONS = {
    "armenia": "Armenia in the CSTO",
    "border": "Border violence",
    "afghanistan": "Tajikistan and the Taliban",
    "csto": "The alliance in action",
    "response": "Who answers the call, if a member asks",
    "ukraine": "The war in Ukraine",
    "candidates": "Observer and partner status",
    "balance": "The balance with NATO",
}

CONFIDENCE_ORDER = ("low", "moderate", "high")  # a judgment's confidence, weakest first (rules compare them)
