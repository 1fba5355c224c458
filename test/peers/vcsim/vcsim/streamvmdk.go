package main

// A disk as a stream-optimized VMDK, the format vSphere's NFC export of a disk sends (VMware's
// "Virtual Disk Format 1.1", hosted sparse extents version 3 with compressed grains and
// markers): the header with the grain directory "at the end", the embedded descriptor, then each
// grain that is not all zeros as a grain marker (its first sector and compressed size) followed by
// its zlib-compressed bytes, each grain table after the grains it covers, the grain directory, a
// footer (the header with the directory's offset) and the end-of-stream marker. Every piece
// starts on a 512-byte sector.

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"io"
)

const (
	grainSectors  = 128 // 64 KiB, as VMware writes
	grainBytes    = grainSectors * sector
	tableEntries  = 512 // grain table entries per table
	gdAtEnd       = ^uint64(0)
	flagNewline   = 1 << 0
	flagCompress  = 1 << 16
	flagMarkers   = 1 << 17
	deflate       = 1
	markerEOS     = 0
	markerGT      = 1
	markerGD      = 2
	markerFooter  = 3
	tableSectors  = tableEntries * 4 / sector
	descriptorMax = 20 // sectors reserved for the embedded descriptor
)

// streamWriter tracks the sector position of what it wrote, for the tables that point back at it.
type streamWriter struct {
	w      io.Writer
	sector uint64
	pad    [sector]byte
}

func (s *streamWriter) write(p []byte) error {
	if _, err := s.w.Write(p); err != nil {
		return err
	}
	if rest := len(p) % sector; rest != 0 {
		if _, err := s.w.Write(s.pad[:sector-rest]); err != nil {
			return err
		}
	}
	s.sector += uint64((len(p) + sector - 1) / sector)
	return nil
}

func (s *streamWriter) marker(kind uint32, sectors uint64) error {
	var m [sector]byte
	binary.LittleEndian.PutUint64(m[0:], sectors)
	binary.LittleEndian.PutUint32(m[12:], kind)
	return s.write(m[:])
}

func streamHeader(capacitySectors, descriptorSectors, gdOffset uint64) []byte {
	h := make([]byte, sector)
	copy(h[0:], "KDMV")
	binary.LittleEndian.PutUint32(h[4:], 3)
	binary.LittleEndian.PutUint32(h[8:], flagNewline|flagCompress|flagMarkers)
	binary.LittleEndian.PutUint64(h[12:], capacitySectors)
	binary.LittleEndian.PutUint64(h[20:], grainSectors)
	binary.LittleEndian.PutUint64(h[28:], 1) // the descriptor follows the header
	binary.LittleEndian.PutUint64(h[36:], descriptorSectors)
	binary.LittleEndian.PutUint32(h[44:], tableEntries)
	binary.LittleEndian.PutUint64(h[48:], 0) // no redundant grain directory
	binary.LittleEndian.PutUint64(h[56:], gdOffset)
	binary.LittleEndian.PutUint64(h[64:], 1+descriptorSectors) // the grains start after the descriptor
	h[72] = 0                                                  // clean shutdown
	copy(h[73:], "\n \r\n")                                    // the newline detection characters
	binary.LittleEndian.PutUint16(h[77:], deflate)
	return h
}

func streamDescriptor(name string, capacitySectors uint64) []byte {
	cylinders := min(capacitySectors/(255*63), 65535)
	return []byte(fmt.Sprintf(`# Disk DescriptorFile
version=1
CID=fffffffe
parentCID=ffffffff
createType="streamOptimized"

# Extent description
RW %d SPARSE "%s"

# The Disk Data Base
#DDB

ddb.adapterType = "lsilogic"
ddb.geometry.cylinders = "%d"
ddb.geometry.heads = "255"
ddb.geometry.sectors = "63"
ddb.virtualHWVersion = "4"
`, capacitySectors, name, cylinders))
}

// writeStreamVmdk writes the disk's bytes as a stream-optimized VMDK named name; zero grains are
// left out. A failure midway leaves the stream without its end-of-stream marker.
func writeStreamVmdk(w io.Writer, image *diskImage, name string) error {
	if image.capacity%sector != 0 {
		return fmt.Errorf("a disk of %d bytes is not whole sectors", image.capacity)
	}
	capacitySectors := uint64(image.capacity / sector)
	grains := (capacitySectors + grainSectors - 1) / grainSectors
	tables := (grains + tableEntries - 1) / tableEntries
	descriptor := streamDescriptor(name, capacitySectors)
	if len(descriptor) > descriptorMax*sector {
		return fmt.Errorf("the descriptor for %q is too long", name)
	}

	s := &streamWriter{w: w}
	if err := s.write(streamHeader(capacitySectors, descriptorMax, gdAtEnd)); err != nil {
		return err
	}
	if err := s.write(append(descriptor, make([]byte, descriptorMax*sector-len(descriptor))...)); err != nil {
		return err
	}

	directory := make([]byte, tables*4)
	table := make([]byte, tableEntries*4)
	data := make([]byte, grainBytes)
	var compressed bytes.Buffer
	deflater, _ := zlib.NewWriterLevel(&compressed, zlib.BestSpeed)
	for t := uint64(0); t < tables; t++ {
		clear(table)
		used := false
		for g := t * tableEntries; g < min(grains, (t+1)*tableEntries); g++ {
			offset := int64(g * grainBytes)
			length := min(int64(grainBytes), image.capacity-offset)
			if !image.holdsData(offset, length) {
				continue
			}
			if err := image.readAt(data[:length], offset); err != nil {
				return err
			}
			if isZero(data[:length]) {
				continue
			}
			compressed.Reset()
			compressed.Write(make([]byte, 12)) // the grain marker: first sector and compressed size
			deflater.Reset(&compressed)
			if _, err := deflater.Write(data[:length]); err != nil {
				return err
			}
			if err := deflater.Close(); err != nil {
				return err
			}
			grain := compressed.Bytes()
			binary.LittleEndian.PutUint64(grain[0:], g*grainSectors)
			binary.LittleEndian.PutUint32(grain[8:], uint32(len(grain)-12))
			binary.LittleEndian.PutUint32(table[(g-t*tableEntries)*4:], uint32(s.sector))
			used = true
			if err := s.write(grain); err != nil {
				return err
			}
		}
		if !used {
			continue // a table without grains stays out; its directory entry is 0
		}
		if err := s.marker(markerGT, tableSectors); err != nil {
			return err
		}
		binary.LittleEndian.PutUint32(directory[t*4:], uint32(s.sector))
		if err := s.write(table); err != nil {
			return err
		}
	}

	directorySectors := (uint64(len(directory)) + sector - 1) / sector
	if err := s.marker(markerGD, directorySectors); err != nil {
		return err
	}
	gdOffset := s.sector
	if err := s.write(directory); err != nil {
		return err
	}
	if err := s.marker(markerFooter, 1); err != nil {
		return err
	}
	if err := s.write(streamHeader(capacitySectors, descriptorMax, gdOffset)); err != nil {
		return err
	}
	return s.marker(markerEOS, 0)
}

func isZero(p []byte) bool {
	for len(p) >= len(zeros) {
		if !bytes.Equal(p[:len(zeros)], zeros) {
			return false
		}
		p = p[len(zeros):]
	}
	return bytes.Equal(p, zeros[:len(p)])
}
