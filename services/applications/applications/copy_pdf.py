"""The copy of what a resident sent, as a tagged PDF made here from the case's snapshot: real text in
an embedded font (never an image of text), the document's title shown by readers, the language
Swedish, and a structure tree (headings, paragraphs, lists of question and answer) so screen readers
read it in order. Page furniture (the footer) is marked as an artifact.

reportlab draws the pages; it has no tagging of its own, so this module keeps a small layout of
blocks, wraps each block's drawing in marked content (BDC … EMC with an MCID) and builds the
structure tree and its parent tree itself."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFObjectReference, PDFString
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 56.0
BOTTOM = 64.0  # room for the footer
WIDTH = PAGE_WIDTH - 2 * MARGIN
INDENT = 14.0

# (font, size, space before, space after) per kind of block
STYLE = {
    "H1": ("bold", 17.0, 0.0, 8.0),
    "H2": ("bold", 13.0, 14.0, 4.0),
    "H3": ("bold", 11.0, 8.0, 2.0),
    "P": ("regular", 10.0, 2.0, 4.0),
    "Lbl": ("bold", 10.0, 4.0, 0.0),
    "LBody": ("regular", 10.0, 0.0, 2.0),
}
LEADING = 1.35

_FONT_FILES = {
    # DejaVu where the system has it (it covers more scripts), else reportlab's own Bitstream Vera.
    "regular": ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "Vera.ttf"),
    "bold": ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", "VeraBd.ttf"),
}
_FONTS: dict[str, str] = {}


def _font(kind: str) -> str:
    """The registered name of an embedded TrueType font (registered once per process)."""
    if kind not in _FONTS:
        system, bundled = _FONT_FILES[kind]
        path = system if Path(system).exists() else bundled
        name = f"FickanCopy-{kind}"
        pdfmetrics.registerFont(TTFont(name, path))
        _FONTS[kind] = name
    return _FONTS[kind]


@dataclass
class Node:
    """One element of the structure tree. A leaf is drawn: its marked-content pieces are (page, MCID)."""

    tag: str
    children: list[Node] = field(default_factory=list)
    text: str = ""
    pieces: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class Document:
    """The copy's content as blocks, in reading order (the structure tree's leaves)."""

    title: str
    subject: str
    footer: str
    root: Node = field(default_factory=lambda: Node("Document"))
    _list: Node | None = None

    def _leaf(self, tag: str, text: str) -> None:
        self._list = None
        self.root.children.append(Node(tag, text=text))

    def heading(self, level: int, text: str) -> None:
        self._leaf(f"H{level}", text)

    def paragraph(self, text: str) -> None:
        self._leaf("P", text)

    def item(self, body: str, label: str = "") -> None:
        """A list item (consecutive items form one list): a label (e.g. the question) and its body."""
        if self._list is None:
            self._list = Node("L")
            self.root.children.append(self._list)
        children = [Node("Lbl", text=label)] if label else []
        self._list.children.append(Node("LI", children=[*children, Node("LBody", text=body)]))


@dataclass
class _Line:
    node: Node
    font: str
    size: float
    x: float
    text: str
    before: float  # space above the line (the block's, on its first line)


def _lines(node: Node) -> list[_Line]:
    """A leaf wrapped to the page's width, as lines (an empty text still takes one line)."""
    kind, size, before, _ = STYLE[node.tag]
    x = MARGIN + (INDENT if node.tag == "LBody" else 0.0)
    font = _font(kind)
    wrapped = []
    for paragraph in (node.text or " ").split("\n"):
        wrapped.extend(simpleSplit(paragraph, font, size, WIDTH - (x - MARGIN)) or [""])
    return [_Line(node, font, size, x, text, before if i == 0 else 0.0) for i, text in enumerate(wrapped)]


def _leaves(node: Node) -> list[Node]:
    if not node.children and node.tag not in ("Document", "L", "LI"):
        return [node]
    return [leaf for child in node.children for leaf in _leaves(child)]


def _paginate(doc: Document) -> list[list[tuple[_Line, float]]]:
    """Every line with its baseline, page by page. A heading is kept with what follows it."""
    pages: list[list[tuple[_Line, float]]] = [[]]
    y = PAGE_HEIGHT - MARGIN
    leaves = _leaves(doc.root)
    for index, leaf in enumerate(leaves):
        lines = _lines(leaf)
        keep = lines[:1]
        if leaf.tag.startswith("H") or leaf.tag == "Lbl":
            following = _lines(leaves[index + 1])[:1] if index + 1 < len(leaves) else []
            keep = lines + following
        needed = sum(line.before + line.size * LEADING for line in keep)
        if y - needed < BOTTOM and pages[-1]:
            pages.append([])
            y = PAGE_HEIGHT - MARGIN
        for line in lines:
            height = line.size * LEADING
            if y - line.before - height < BOTTOM and pages[-1]:
                pages.append([])
                y = PAGE_HEIGHT - MARGIN
            y -= (line.before if pages[-1] else 0.0) + height
            pages[-1].append((line, y + (height - line.size)))
        y -= STYLE[leaf.tag][3]
    return pages


def render(doc: Document) -> bytes:
    """The PDF: tagged, titled, in Swedish, with its text in embedded fonts."""
    out = io.BytesIO()
    # The initial font too is the embedded one: no unembedded standard font in the file at all.
    canvas = Canvas(out, pagesize=A4, lang="sv", pageCompression=1, initialFontName=_font("regular"))
    canvas.setTitle(doc.title)
    canvas.setSubject(doc.subject)
    canvas.setAuthor("Fickan")
    canvas.setCreator("Fickan (applications)")
    canvas.setViewerPreference("DisplayDocTitle", "true")
    pdf = canvas._doc  # reportlab's document: the structure tree is added to it by hand
    pages = _paginate(doc)
    page_refs: list[PDFObjectReference] = []
    parent_tree: list[list[Node]] = []  # per page: the leaf of each MCID, in order
    footer_font = _font("regular")
    for number, lines in enumerate(pages):
        page_refs.append(pdf.thisPageRef())
        marked: list[Node] = []
        current: Node | None = None
        for line, baseline in lines:
            if line.node is not current:
                if current is not None:
                    canvas._code.append("EMC")
                current = line.node
                current.pieces.append((number, len(marked)))
                canvas._code.append(f"/{current.tag} <</MCID {len(marked)}>> BDC")
                marked.append(current)
            canvas.setFont(line.font, line.size)
            canvas.drawString(line.x, baseline, line.text)
        if current is not None:
            canvas._code.append("EMC")
        canvas._code.append("/Artifact <</Type /Pagination>> BDC")
        canvas.setFont(footer_font, 8)
        canvas.drawString(MARGIN, 32, f"{doc.footer} – sida {number + 1} av {len(pages)}")
        canvas._code.append("EMC")
        parent_tree.append(marked)
        canvas.showPage()
    _structure(pdf, doc.root, page_refs, parent_tree)
    for number, page in enumerate(pdf.Pages.pages):
        # The page says which part of the parent tree is its own, and that tabbing follows the structure.
        page.__NoDefault__ = [*page.__NoDefault__, "StructParents", "Tabs"]
        page.StructParents = number
        page.Tabs = PDFName("S")
    canvas.save()
    return out.getvalue()


def _structure(pdf, root: Node, page_refs: list[PDFObjectReference], parent_tree: list[list[Node]]) -> None:  # type: ignore[no-untyped-def]
    """The structure tree (StructTreeRoot → Document → headings, paragraphs, lists) and the parent
    tree that maps each page's MCIDs back to their elements."""
    tree = PDFDictionary({"Type": PDFName("StructTreeRoot")})
    tree_ref = pdf.Reference(tree)
    refs: dict[int, PDFObjectReference] = {}

    def element(node: Node, parent: PDFObjectReference) -> PDFObjectReference:
        item = PDFDictionary({"Type": PDFName("StructElem"), "S": PDFName(node.tag), "P": parent})
        ref = pdf.Reference(item)
        refs[id(node)] = ref
        if node.tag == "Document":
            item.dict["Lang"] = PDFString("sv")
        if node.children:
            item.dict["K"] = PDFArray([element(child, ref) for child in node.children])
        elif len(node.pieces) == 1:
            page, mcid = node.pieces[0]
            item.dict["Pg"] = page_refs[page]
            item.dict["K"] = mcid
        else:
            item.dict["K"] = PDFArray(
                [
                    PDFDictionary({"Type": PDFName("MCR"), "Pg": page_refs[page], "MCID": mcid})
                    for page, mcid in node.pieces
                ]
            )
        return ref

    document = element(root, tree_ref)
    nums: list[object] = []
    for page, leaves in enumerate(parent_tree):
        nums.extend([page, PDFArray([refs[id(leaf)] for leaf in leaves])])
    tree.dict["K"] = PDFArray([document])
    tree.dict["ParentTree"] = pdf.Reference(PDFDictionary({"Nums": PDFArray(nums)}))
    tree.dict["ParentTreeNextKey"] = len(parent_tree)
    pdf.Catalog.StructTreeRoot = tree_ref
    pdf.Catalog.MarkInfo = PDFDictionary({"Marked": "true"})
