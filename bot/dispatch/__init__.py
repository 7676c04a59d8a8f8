"""The one door between the front ends and the commands: commands declared once (`registry`),
typed words read the same way everywhere (`convert`, `shapes`), and each call parsed,
checked, run and answered (`dispatcher`)."""
