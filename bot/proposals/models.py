"""`content_proposals`: a change to the vetted content waiting for a second clinician.

A proposal holds only the text its proposer sent: the patient's words with
identifiers replaced and then edited. It has no link to the conversation, so
it stays when the conversation is erased, and it never held anything else.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, ForeignKey, Index, Integer, String, Text

from bot.db.base import Base, new_id, utcnow

EXAMPLE = "example"  # add the texts to an FAQ's examples
NOT_ANSWERED = "not_answered"  # add the texts to an FAQ's not_answered
NEW_FAQ = "new_faq"  # write a draft FAQ with the texts as examples
KINDS = (EXAMPLE, NOT_ANSWERED, NEW_FAQ)

PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
STATUSES = (PENDING, APPROVED, REJECTED)


class ContentProposal(Base):
    __tablename__ = "content_proposals"
    __table_args__ = (Index("ix_content_proposals_status_created", "status", "created_at"),)

    id = Column(String(32), primary_key=True, default=new_id)
    kind = Column(String(16), nullable=False)
    faq_id = Column(String(64), nullable=False)
    # new_faq only: the draft's title.
    title = Column(String(200), nullable=True)
    texts = Column(JSON, nullable=False)
    note = Column(Text, nullable=True)
    status = Column(String(16), nullable=False, default=PENDING)
    proposed_by = Column(Integer, ForeignKey("clinicians.id"), nullable=True)
    proposer_name = Column(String(128), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    reviewed_by = Column(Integer, ForeignKey("clinicians.id"), nullable=True)
    reviewer_name = Column(String(128), nullable=True)
    reviewed_at = Column(DateTime, nullable=True)
    review_note = Column(Text, nullable=True)
    # The content file approval wrote, relative to the content directory.
    applied_path = Column(String(255), nullable=True)
