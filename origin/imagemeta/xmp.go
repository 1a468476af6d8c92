package imagemeta

import (
	"bytes"
	"encoding/xml"
	"strings"
)

const rdfNS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

// Bounds on the XMP parser.
const (
	maxXMPBytes = 1 << 20
	maxXMPNodes = 10_000
	maxXMPDepth = 32
)

// node is an XML element.
type node struct {
	name     xml.Name
	attr     []xml.Attr
	children []*node
	text     strings.Builder
}

// parseXMP flattens an XMP packet's rdf:Description properties to
// local name → value: attributes and simple elements as they are, arrays
// (rdf:Bag, rdf:Seq, rdf:Alt) as their items joined with ", ". Nested
// structures are skipped.
func parseXMP(b []byte) map[string]string {
	if len(b) > maxXMPBytes {
		return nil
	}
	root := parseTree(b)
	if root == nil {
		return nil
	}
	out := map[string]string{}
	var walk func(n *node, depth int)
	walk = func(n *node, depth int) {
		if depth > maxXMPDepth {
			return
		}
		if n.name.Space == rdfNS && n.name.Local == "Description" {
			describe(n, out)
		}
		for _, c := range n.children {
			walk(c, depth+1)
		}
	}
	walk(root, 0)
	if len(out) == 0 {
		return nil
	}
	return out
}

// describe records one rdf:Description's properties.
func describe(d *node, out map[string]string) {
	for _, a := range d.attr {
		if a.Name.Space == "xmlns" || a.Name.Space == rdfNS || a.Name.Space == "" || a.Name.Local == "xmlns" {
			continue
		}
		set(out, a.Name.Local, a.Value)
	}
	for _, p := range d.children {
		if len(p.children) == 0 {
			set(out, p.name.Local, p.text.String())
			continue
		}
		var items []string
		for _, arr := range p.children {
			if arr.name.Space != rdfNS {
				continue
			}
			for _, li := range arr.children {
				if li.name.Space == rdfNS && li.name.Local == "li" && len(li.children) == 0 {
					if v := strings.TrimSpace(li.text.String()); v != "" {
						items = append(items, v)
					}
				}
			}
		}
		if len(items) > 0 {
			set(out, p.name.Local, strings.Join(items, ", "))
		}
	}
}

func set(out map[string]string, k, v string) {
	if v = strings.TrimSpace(v); v != "" && k != "" {
		if _, ok := out[k]; !ok {
			out[k] = v
		}
	}
}

// parseTree reads the XML into a tree, bounded in size and depth; nil when
// it does not parse.
func parseTree(b []byte) *node {
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.Strict = false
	root := &node{}
	stack := []*node{root}
	count := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			if len(root.children) == 0 {
				return nil
			}
			return root
		}
		top := stack[len(stack)-1]
		switch t := tok.(type) {
		case xml.StartElement:
			count++
			if count > maxXMPNodes || len(stack) > maxXMPDepth {
				return root
			}
			n := &node{name: t.Name, attr: t.Attr}
			top.children = append(top.children, n)
			stack = append(stack, n)
		case xml.EndElement:
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
		case xml.CharData:
			if top.text.Len() < 64<<10 {
				top.text.Write(t)
			}
		}
	}
}
