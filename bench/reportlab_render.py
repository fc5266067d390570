#!/usr/bin/env python3
"""Renders a room fixture with ReportLab the way PdfRenderer does, as the baseline for RenderBench.

Same sections (cover, vessels, parties, approvals, documents, activity), same DejaVu Sans fonts and
sizes, same column widths and "Page X of Y" footers (two passes via a NumberedCanvas). Times only the
renders, not interpreter start-up or JSON loading, and prints one parseable line:

    RESULT fixture=<name> renders=<n> median_ms=<ms> pages=<pages> bytes=<file size>

Table cells are Paragraphs, so long values wrap as they do in PdfRenderer. With --plain they are bare
strings instead: faster, but a long value runs past its column, so that mode is only a reference point.

Text in other scripts is set in the same fallback fonts PdfRenderer uses (WenQuanYi Zen Hei for Han, Kana and
Hangul, Noto Sans for Arabic, Hebrew, Thai and Devanagari), chosen per character by Unicode block and marked
up as <font> runs, with CJK-style wrapping where CJK appears. ReportLab 3.6 neither shapes nor reorders:
Arabic comes out unjoined and left to right, Devanagari and Thai unshaped. So for those scripts this is a
timing baseline with the same fonts, not the same output.

Usage: reportlab_render.py FIXTURE_JSON RENDERS [FONT_DIR] [--plain] [--out FILE]
"""
import argparse
import io
import json
import os
import statistics
import time
from datetime import datetime, timezone

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from xml.sax.saxutils import escape

PAGE_W, PAGE_H = A4
MARGIN_X, TOP, BOTTOM = 40, 58, 52
CONTENT_W = PAGE_W - 2 * MARGIN_X
INK, MUTED, ACCENT = colors.HexColor("#212529"), colors.HexColor("#5f6b7a"), colors.HexColor("#1f3a5f")
STRIPE, RULE = colors.HexColor("#f1f4f8"), colors.HexColor("#c9d1db")
STATUS = {
    "approved": "#2e7d32", "granted": "#2e7d32", "rejected": "#c62828", "refused": "#c62828",
    "expired": "#d85c00", "missing": "#6a1b9a", "under_review": "#1565c0",
}

BODY = ParagraphStyle("body", fontName="DejaVu", fontSize=7.5, leading=8.73, textColor=INK)
KEY = ParagraphStyle("key", parent=BODY, fontName="DejaVu-Bold", textColor=MUTED)
HEAD = ParagraphStyle("head", parent=BODY, fontName="DejaVu-Bold", textColor=colors.white)
LABEL = ParagraphStyle("label", parent=BODY, fontName="DejaVu-Bold", fontSize=6, textColor=colors.white)
HEADING = ParagraphStyle("heading", fontName="DejaVu-Bold", fontSize=12, leading=14, textColor=ACCENT, spaceBefore=12, spaceAfter=6)
TITLE = ParagraphStyle("title", fontName="DejaVu-Bold", fontSize=18, leading=21, textColor=INK, spaceAfter=10)
KICKER = ParagraphStyle("kicker", parent=BODY, fontName="DejaVu-Bold", fontSize=7.5, textColor=ACCENT, spaceAfter=4)


# (first, last code point, regular font, bold font): the fallback faces, by Unicode block.
FALLBACKS = [
    (0x0590, 0x05FF, "NotoHebrew", "NotoHebrew-Bold"), (0xFB1D, 0xFB4F, "NotoHebrew", "NotoHebrew-Bold"),
    (0x0600, 0x06FF, "NotoArabic", "NotoArabic-Bold"), (0x0750, 0x077F, "NotoArabic", "NotoArabic-Bold"),
    (0xFB50, 0xFDFF, "NotoArabic", "NotoArabic-Bold"), (0xFE70, 0xFEFF, "NotoArabic", "NotoArabic-Bold"),
    (0x0900, 0x097F, "NotoDevanagari", "NotoDevanagari-Bold"), (0x0E00, 0x0E7F, "NotoThai", "NotoThai-Bold"),
    (0x1100, 0x11FF, "WQY", "WQY"), (0x2E80, 0x9FFF, "WQY", "WQY"), (0xAC00, 0xD7AF, "WQY", "WQY"),
    (0xF900, 0xFAFF, "WQY", "WQY"), (0xFF00, 0xFFEF, "WQY", "WQY"), (0x20000, 0x3FFFF, "WQY", "WQY"),
]


def register_fonts(font_dir):
    pdfmetrics.registerFont(TTFont("DejaVu", os.path.join(font_dir, "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont("DejaVu-Bold", os.path.join(font_dir, "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFont(TTFont("WQY", os.path.join(font_dir, "wqy-zenhei.ttc"), subfontIndex=0))
    for script in ("Arabic", "Hebrew", "Thai", "Devanagari"):
        pdfmetrics.registerFont(TTFont(f"Noto{script}", os.path.join(font_dir, f"NotoSans{script}-Regular.ttf")))
        pdfmetrics.registerFont(TTFont(f"Noto{script}-Bold", os.path.join(font_dir, f"NotoSans{script}-Bold.ttf")))


def fallback_font(ch, bold):
    code = ord(ch)
    for first, last, regular, heavy in FALLBACKS:
        if first <= code <= last:
            return heavy if bold else regular
    return None


def markup(text, bold):
    """Escaped Paragraph markup, with <font> runs for characters of the fallback scripts."""
    if all(ord(ch) < 0x0590 for ch in text):
        return escape(text)
    out, run, font = [], [], None
    for ch in text:
        wanted = fallback_font(ch, bold)
        if wanted != font and run:
            chunk = escape("".join(run))
            out.append(f'<font name="{font}">{chunk}</font>' if font else chunk)
            run = []
        font = wanted
        run.append(ch)
    chunk = escape("".join(run))
    out.append(f'<font name="{font}">{chunk}</font>' if font else chunk)
    return "".join(out)


class NumberedCanvas(canvas.Canvas):
    """Holds every page until the end, then draws header and "Page X of Y" footer on each."""

    snapshot_id = ""
    room_id = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._saved = []

    def showPage(self):
        self._saved.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._saved)
        for number, state in enumerate(self._saved, start=1):
            self.__dict__.update(state)
            self.setFont("DejaVu", 7)
            self.setFillColor(MUTED)
            self.drawString(MARGIN_X, PAGE_H - 37, f"STS room snapshot · {self.room_id}")
            self.drawRightString(PAGE_W - MARGIN_X, PAGE_H - 37, "Room version 17")
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            self.line(MARGIN_X, PAGE_H - 44, PAGE_W - MARGIN_X, PAGE_H - 44)
            self.line(MARGIN_X, 42, PAGE_W - MARGIN_X, 42)
            self.drawString(MARGIN_X, 30, f"Snapshot {self.snapshot_id}")
            self.setFillColor(INK)
            self.drawRightString(PAGE_W - MARGIN_X, 30, f"Page {number} of {total}")
            super().showPage()
        super().save()


def p(text, style=BODY):
    bold = style.fontName.endswith("Bold")
    if any(0x2E80 <= ord(ch) <= 0x9FFF or 0xF900 <= ord(ch) <= 0xFFEF for ch in text):
        style = ParagraphStyle(style.name + "-cjk", parent=style, wordWrap="CJK")
    return Paragraph(markup(text, bold).replace("\n", "<br/>"), style)


def label(word, kind):
    return p(word.replace("_", " ").upper(), LABEL), STATUS.get(word, "#757575")


def table(columns, rows, header=True, plain=False):
    """rows: list of lists of cells; a cell is a string or (Paragraph, status colour) for labels."""
    data, style = [], [
        ("FONT", (0, 0), (-1, -1), BODY.fontName, BODY.fontSize, BODY.leading),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        data.append([p(title, HEAD) for title, _ in columns])
        style.append(("BACKGROUND", (0, 0), (-1, 0), ACCENT))
    for r, row in enumerate(rows):
        y = len(data)
        cells = []
        for c, cell in enumerate(row):
            if isinstance(cell, tuple):
                cells.append(cell[0])
                style.append(("BACKGROUND", (c, y), (c, y), colors.HexColor(cell[1])))
            elif plain:
                cells.append(cell)
            else:
                cells.append(p(cell, KEY if (not header and c == 0) else BODY))
        if r % 2 == 1:
            style.insert(0, ("BACKGROUND", (0, y), (-1, y), STRIPE))
        data.append(cells)
    t = Table(data, colWidths=[w for _, w in columns], repeatRows=1 if header else 0, splitInRow=1)
    t.setStyle(TableStyle(style))
    return t


def ts(value):
    if not value:
        return "—"
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def story_for(room, snapshot_id, plain):
    w = CONTENT_W
    story = [p("ROOM SNAPSHOT", KICKER), p(room["title"], TITLE)]
    facts = [
        ["Snapshot title", "Pre-transfer review"], ["Location", room.get("location", "")],
        ["STS ETA", ts(room.get("sts_eta")) + " UTC"], ["Room", f"{room['id']} (version 17)"],
        ["Snapshot ID", snapshot_id], ["Created", "2026-11-20 14:03:07 UTC"], ["Created by", "broker1@example.com"],
        ["Content SHA-256", "0" * 64], ["Contents", "Parties, approvals, documents, activity"],
    ]
    story.append(table([("", 110), ("", w - 110)], facts, header=False, plain=plain))

    def section(title, columns, rows):
        story.append(Paragraph(f"{title} ({len(rows)})", HEADING))
        story.append(table(columns, rows, plain=plain) if rows else p("None.", BODY))

    section("Vessels", [("Vessel", 255), ("IMO", 130), ("Role", w - 385)],
            [[v["name"], v["imo"], v["role"].capitalize()] for v in room.get("vessels", [])])
    section("Parties", [("Name", 120), ("Company", 140), ("Email", 170), ("Role", w - 430)],
            [[x["name"], x["company"], x["email"], x["role"].capitalize()] for x in room.get("parties", [])])
    section("Approvals", [("Party role", 110), ("Status", 80), ("Decided by", 190), ("Decided at (UTC)", w - 380)],
            [[a["party_role"].capitalize(), label(a["status"], "approval"), a.get("decided_by", ""), ts(a.get("decided_at"))]
             for a in room.get("approvals", [])])
    section("Documents",
            [("ID", 64), ("Type", 82), ("Vessel", 46), ("Status", 66), ("Expires", 50), ("Uploaded by", 104), ("Notes", w - 412)],
            [[d["id"], d["type"], d.get("vessel", ""), label(d["status"], "document"), d.get("expires_on", ""),
              d.get("uploaded_by", ""), d.get("notes", "")] for d in room.get("documents", [])])
    section("Activity", [("Time (UTC)", 88), ("Actor", 116), ("Action", 100), ("Detail", w - 304)],
            [[ts(a["at"]), a["actor"], a["action"], a.get("detail", "")] for a in room.get("activities", [])])
    return story


def render(room, snapshot_id, plain):
    out = io.BytesIO()
    pages = []

    class Canvas(NumberedCanvas):
        def save(self):
            pages.append(len(self._saved))
            super().save()

    Canvas.snapshot_id, Canvas.room_id = snapshot_id, room["id"]
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=TOP, bottomMargin=BOTTOM,
                            title=room["title"], invariant=1)
    doc.build(story_for(room, snapshot_id, plain), canvasmaker=Canvas)
    return out.getvalue(), pages[-1]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser()
    parser.add_argument("fixture")
    parser.add_argument("renders", type=int)
    parser.add_argument("font_dir", nargs="?", default=os.path.join(here, "..", "services", "PdfWorker", "Fonts"))
    parser.add_argument("--plain", action="store_true")
    parser.add_argument("--out")
    args = parser.parse_args()

    register_fonts(args.font_dir)
    with open(args.fixture, encoding="utf-8") as f:
        room = json.load(f)
    snapshot_id = "7b0c3c1e-2f4a-4d5b-9c61-0a8e2f3d4b5c"
    pdf, pages = render(room, snapshot_id, args.plain)  # warm-up: font loading and first-use caches
    times = []
    for _ in range(args.renders):
        start = time.perf_counter()
        pdf, pages = render(room, snapshot_id, args.plain)
        times.append((time.perf_counter() - start) * 1000)
    if args.out:
        with open(args.out, "wb") as f:
            f.write(pdf)
    name = os.path.splitext(os.path.basename(args.fixture))[0]
    print(f"RESULT fixture={name} renders={args.renders} median_ms={statistics.median(times):.2f} pages={pages} bytes={len(pdf)}")


if __name__ == "__main__":
    main()
