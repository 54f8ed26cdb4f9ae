package bundle

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
)

// The icon is a white speech bubble with three dots on a teal square. Its
// geometry is described once, in a 512-unit square, and drawn both as SVG
// and as PNG so the two never drift apart.
const iconUnits = 512

var (
	iconBackground = color.NRGBA{0x0f, 0x76, 0x6e, 0xff}
	iconForeground = color.NRGBA{0xff, 0xff, 0xff, 0xff}
)

type roundRect struct{ x0, y0, x1, y1, r float64 }

func (q roundRect) contains(x, y float64) bool {
	if x < q.x0 || x > q.x1 || y < q.y0 || y > q.y1 {
		return false
	}
	cx := math.Min(math.Max(x, q.x0+q.r), q.x1-q.r)
	cy := math.Min(math.Max(y, q.y0+q.r), q.y1-q.r)
	return (x-cx)*(x-cx)+(y-cy)*(y-cy) <= q.r*q.r
}

type circle struct{ x, y, r float64 }

func (c circle) contains(x, y float64) bool {
	return (x-c.x)*(x-c.x)+(y-c.y)*(y-c.y) <= c.r*c.r
}

type triangle struct{ ax, ay, bx, by, cx, cy float64 }

func (t triangle) contains(x, y float64) bool {
	side := func(px, py, qx, qy float64) float64 { return (qx-px)*(y-py) - (qy-py)*(x-px) }
	d1 := side(t.ax, t.ay, t.bx, t.by)
	d2 := side(t.bx, t.by, t.cx, t.cy)
	d3 := side(t.cx, t.cy, t.ax, t.ay)
	neg := d1 < 0 || d2 < 0 || d3 < 0
	pos := d1 > 0 || d2 > 0 || d3 > 0
	return !(neg && pos)
}

// iconShape is the icon's geometry at a given scale of its content around
// the centre; maskable icons shrink the content into the safe zone.
type iconShape struct {
	square bool // background fills the whole square (maskable) instead of a rounded one
	bg     roundRect
	bubble roundRect
	tail   triangle
	dots   [3]circle
}

func newIconShape(maskable bool) iconShape {
	s := 1.0
	if maskable {
		s = 0.78
	}
	c := float64(iconUnits) / 2
	p := func(v float64) float64 { return c + (v-c)*s }
	sh := iconShape{
		square: maskable,
		bg:     roundRect{0, 0, iconUnits, iconUnits, 112},
		bubble: roundRect{p(96), p(116), p(416), p(356), 72 * s},
		tail:   triangle{p(150), p(320), p(150), p(420), p(250), p(340)},
	}
	if maskable {
		sh.bg.r = 0
	}
	for i, x := range []float64{176, 256, 336} {
		sh.dots[i] = circle{p(x), p(236), 26 * s}
	}
	return sh
}

// at reports the colour of the icon at a point in icon units, and whether
// the point is inside the icon at all.
func (sh iconShape) at(x, y float64) (color.NRGBA, bool) {
	if !sh.bg.contains(x, y) {
		return color.NRGBA{}, false
	}
	for _, d := range sh.dots {
		if d.contains(x, y) {
			return iconBackground, true
		}
	}
	if sh.bubble.contains(x, y) || sh.tail.contains(x, y) {
		return iconForeground, true
	}
	return iconBackground, true
}

// iconPNG renders the icon at size×size pixels with 4×4 supersampling.
func iconPNG(size int, maskable bool) ([]byte, error) {
	sh := newIconShape(maskable)
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	const n = 4
	scale := float64(iconUnits) / float64(size)
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			var r, g, b, a float64
			for sy := 0; sy < n; sy++ {
				for sx := 0; sx < n; sx++ {
					x := (float64(px) + (float64(sx)+0.5)/n) * scale
					y := (float64(py) + (float64(sy)+0.5)/n) * scale
					c, ok := sh.at(x, y)
					if !ok {
						continue
					}
					r += float64(c.R)
					g += float64(c.G)
					b += float64(c.B)
					a++
				}
			}
			if a == 0 {
				continue
			}
			img.SetNRGBA(px, py, color.NRGBA{
				R: uint8(math.Round(r / a)),
				G: uint8(math.Round(g / a)),
				B: uint8(math.Round(b / a)),
				A: uint8(math.Round(a * 255 / (n * n))),
			})
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("bundle: encode icon: %w", err)
	}
	return buf.Bytes(), nil
}

// iconSVG writes the same icon as a scalable vector image.
func iconSVG() []byte {
	sh := newIconShape(false)
	hex := func(c color.NRGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d">`, iconUnits, iconUnits)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" rx="%g" fill="%s"/>`, iconUnits, iconUnits, sh.bg.r, hex(iconBackground))
	q := sh.bubble
	fmt.Fprintf(&b, `<rect x="%g" y="%g" width="%g" height="%g" rx="%g" fill="%s"/>`, q.x0, q.y0, q.x1-q.x0, q.y1-q.y0, q.r, hex(iconForeground))
	t := sh.tail
	fmt.Fprintf(&b, `<path d="M%g %gL%g %gL%g %gZ" fill="%s"/>`, t.ax, t.ay, t.bx, t.by, t.cx, t.cy, hex(iconForeground))
	for _, d := range sh.dots {
		fmt.Fprintf(&b, `<circle cx="%g" cy="%g" r="%g" fill="%s"/>`, d.x, d.y, d.r, hex(iconBackground))
	}
	b.WriteString("</svg>\n")
	return b.Bytes()
}
