"""Warnings: the lifecycle (raise, acknowledge, escalate, dispose, reopen), the reaction to new
assessments, and notifications through an outbox (webhook, e-mail)."""

from forewarn.warn.desk import WarningDesk
from forewarn.warn.outbox import DeliveryReport, OutboxItem
from forewarn.warn.policy import Policy, parse_ack_minutes
from forewarn.warn.webhook import verify_signature

__all__ = ["DeliveryReport", "OutboxItem", "Policy", "WarningDesk", "parse_ack_minutes", "verify_signature"]
