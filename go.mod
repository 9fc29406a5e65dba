module github.com/devzone/devzone_exporter

go 1.26.8
