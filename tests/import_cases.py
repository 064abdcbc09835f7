"""The import fixtures: the files in tests/data/import/ and the ones a test generates (a PDF
leaflet, a scanned PDF, a 5 MB saved page, binary junk), each with what importing it gives."""

from __future__ import annotations

import json
import random
from pathlib import Path

from voiceguide.bench.pdf_writer import LEAFLET, pdf_bytes

DATA = Path(__file__).resolve().parent / "data" / "import"

GOOD = {
    "recipe-jsonld-banana-bread.html": (
        "Easy banana bread",
        [
            "Gather what you need",
            "Heat the oven",
            "Mash the bananas",
            "Stir in the melted butter",
            "Sprinkle the bicarbonate of soda",
            "Pour the mixture",
            "Leave it in the tin",
        ],
    ),
    "recipe-plain-lentil-soup.html": (
        "Red lentil soup",
        [
            "Gather what you need",
            "Heat the oil",
            "Stir in the garlic",
            "Add the lentils",
            "Blend the soup",
            "Stir in the lemon juice",
        ],
    ),
    "recipe-jsonld-sections-lasagne.html": (
        "Vegetable lasagne & salad",
        [
            "Gather what you need",
            "The vegetable sauce: Chop the courgettes",
            "Fry them in a little oil",
            "The white sauce: Melt the butter",
            "Add the milk a little",
            "Putting it together: Layer the vegetable sauce",
            "Scatter the cheese",
        ],
    ),
    "howto-bike-tyre.markdown": (
        "How to fix a flat bicycle tyre",
        [
            "Gather what you need",
            "Take the wheel off: Shift to the smallest gear",
            "Open the brake quick-release",
            "Find and patch the hole: Push a tyre lever",
            "Pull out the inner tube",
            "Roughen the area around the hole",
            "Press the patch",
            "Put it back: Run your fingers around the inside",
            "Put the tube back",
            "Refit the wheel",
        ],
    ),
    "howto-repot-plant.markdown": (
        "Repotting a houseplant",
        [
            "Gather what you need",
            "Water the plant an hour",
            "Spread the newspaper out",
            "Turn the old pot",
            "Gently loosen the roots",
            "Stand the plant",
            "Water it well",
        ],
    ),
    "plain-numbered-descaling.txt": (
        "Descaling your kettle",
        [
            "Fill the kettle halfway",
            "Bring it to the boil",
            "Leave the solution to stand",
            "Pour the solution away",
            "Rinse the kettle twice",
            "Boil a full kettle of fresh",
        ],
    ),
    "substeps-router-reset.txt": (
        "Resetting the home router",
        [
            "Find the reset button",
            "With the router switched on",
            "Wait 2 minutes",
            "Connect to the network printed",
            "Open a browser",
        ],
    ),
    "long-steps-smoke-alarm.txt": (
        "Fitting a battery smoke alarm",
        [
            "Choose the place",
            "Choose the place, part 2",
            "Take the base plate off",
            "Take the base plate off, part 2",
            "Pull the plastic tab out",
            "Line the alarm up",
            "Press and hold the test button",
        ],
    ),
    "latin1-creme-brulee.txt": (
        "Chocolate crème brûlée",
        [
            "Gather what you need",
            "Heat the oven to 150 °C",
            "Warm the crème",
            "Whisk the yolks",
            "Pour into four ramekins set",
            "Cool",
        ],
    ),
    "leaflet-talkclock.pdf": (
        "Setting up your TalkClock radio alarm",
        [
            "Gather what you need",
            "Open the battery cover",
            "Plug the mains adapter",
            "Press and hold the top button",
            "Turn the dial",
            "To set an alarm",
            "Wait 5 seconds without pressing anything",
            "To hear the time",
        ],
    ),
    "saved-page-5mb-pancakes.html": (
        "Thin pancakes",
        [
            "Gather what you need",
            "Whisk the flour",
            "Leave the batter to rest",
            "Heat a little butter",
            "Pour in a thin layer",
            "Cook for 1 minute",
            "Flip the pancake",
        ],
    ),
}
"""File -> (title, the titles of its steps, in order)."""

BAD = {
    "no-list-letter.txt": "no list of steps found",
    "scanned-leaflet.pdf": "this PDF has no text to read",
    "binary-junk.txt": "does not look like text, Markdown, HTML or PDF",
}
"""File -> what its one-line error says."""

FIVE_MB = 5 * 1024 * 1024


def make_generated(folder: Path) -> None:
    """Write the generated fixtures into ``folder`` (the committed ones are copied there too)."""
    for path in DATA.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "leaflet-talkclock.pdf").write_bytes(pdf_bytes(LEAFLET))
    (folder / "scanned-leaflet.pdf").write_bytes(pdf_bytes(LEAFLET, text=False))
    (folder / "binary-junk.txt").write_bytes(random.Random(33).randbytes(64 * 1024))
    (folder / "saved-page-5mb-pancakes.html").write_text(saved_page(FIVE_MB), encoding="utf-8")


def saved_page(size: int) -> str:
    """A recipe page saved with its scripts inline, padded to ``size`` bytes, no JSON-LD."""
    padding = json.dumps({"tracking": ["x" * 60 + str(i) for i in range(size // 66)]})
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>Pancakes</title>
<script>var state = {padding};</script><style>.x{{color:red}}</style></head>
<body><nav><ol><li>Home</li><li>Breakfast</li></ol></nav>
<h1>Thin pancakes</h1>
<h2>Ingredients</h2><ul><li>100 g plain flour</li><li>2 eggs</li><li>300 ml milk</li><li>butter for the pan</li></ul>
<h2>Method</h2><ol>
<li>Whisk the flour, eggs and milk to a smooth batter.</li>
<li>Leave the batter to rest for 30 minutes.</li>
<li>Heat a little butter in a frying pan over a medium heat.</li>
<li>Pour in a thin layer of batter and tilt the pan so it covers the base.</li>
<li>Cook for 1 minute, until the underside is golden.</li>
<li>Flip the pancake and cook the other side for 30 seconds more.</li>
</ol></body></html>"""
