package table

import (
	"bytes"
	"testing"
)

func TestWrite(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, [][]string{{"CITY", "VALUE"}, {"太原市", "1"}, {"X", "22"}}); err != nil {
		t.Fatal(err)
	}
	want := "CITY    VALUE\n太原市  1\nX       22\n"
	if b.String() != want {
		t.Errorf("got\n%q\nwant\n%q", b.String(), want)
	}
}
