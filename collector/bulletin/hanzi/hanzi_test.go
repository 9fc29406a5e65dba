package hanzi

import "testing"

func TestSimplify(t *testing.T) {
	tests := []struct {
		name, in, want string
		changed        bool
	}{
		{
			name:    "a traditional release reads as simplified",
			in:      "1至10月,全市規模以上工業增加值同比增長10.2%,高於全省2.2個百分點。",
			want:    "1至10月,全市规模以上工业增加值同比增长10.2%,高于全省2.2个百分点。",
			changed: true,
		},
		{
			name:    "pinyin after a character is dropped",
			in:      "本報(bào)訊 (記者 苑美麗 通訊員 李會(huì)杰) 全市規(guī)模以上工業(yè)增加值增長(zhǎng)10.2%",
			want:    "本报讯 (记者 苑美丽 通讯员 李会杰) 全市规模以上工业增加值增长10.2%",
			changed: true,
		},
		{
			name:    "plain letters in brackets stay",
			in:      "全區生產總值(GDP)增長5%,規上工業產值增長6%",
			want:    "全区生产总值(GDP)增长5%,规上工业产值增长6%",
			changed: true,
		},
		{
			name: "a simplified bulletin with one traditional name is left alone",
			in:   "中北高新区规模以上工业增加值同比增长11%,其中鍾氏公司完成产值3亿元,全市固定资产投资增长5%,工业投资增长7%,占全市比重17.93%。",
			want: "中北高新区规模以上工业增加值同比增长11%,其中鍾氏公司完成产值3亿元,全市固定资产投资增长5%,工业投资增长7%,占全市比重17.93%。",
		},
		{
			name:    "乾 stays in a place name",
			in:      "乾縣開發區規上工業總產值增長8%",
			want:    "乾县开发区规上工业总产值增长8%",
			changed: true,
		},
		{name: "empty", in: "", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, changed := Simplify(tt.in)
			if got != tt.want || changed != tt.changed {
				t.Errorf("Simplify(%q) = %q, %v; want %q, %v", tt.in, got, changed, tt.want, tt.changed)
			}
		})
	}
}

func TestTableIsWhole(t *testing.T) {
	tab := loadTable()
	if len(tab) < 4000 {
		t.Fatalf("table has %d characters, want the whole of TSCharacters.txt (4,000 and more)", len(tab))
	}
	for tr, s := range map[rune]rune{'區': '区', '縣': '县', '億': '亿', '產': '产', '於': '于', '佔': '占', '點': '点'} {
		if tab[tr] != s {
			t.Errorf("%c folds to %c, want %c", tr, tab[tr], s)
		}
	}
}

func BenchmarkTraditional(b *testing.B) {
	s := ""
	for range 2000 {
		s += "中北高新区规模以上工业增加值同比增长11%,占全市比重17.93%。"
	}
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		Traditional(s)
	}
}
