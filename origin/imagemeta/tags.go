package imagemeta

import "math"

func float32frombits(b uint32) float32 { return math.Float32frombits(b) }
func float64frombits(b uint64) float64 { return math.Float64frombits(b) }

// tiffTags names the IFD0 and Exif IFD tags reported (Exif 2.32 names).
var tiffTags = map[uint16]string{
	0x010E: "ImageDescription", 0x010F: "Make", 0x0110: "Model", 0x0112: "Orientation",
	0x011A: "XResolution", 0x011B: "YResolution", 0x0128: "ResolutionUnit", 0x0131: "Software",
	0x0132: "DateTime", 0x013B: "Artist", 0x013E: "WhitePoint", 0x013F: "PrimaryChromaticities",
	0x0211: "YCbCrCoefficients", 0x0213: "YCbCrPositioning", 0x0214: "ReferenceBlackWhite",
	0x8298: "Copyright", 0x0100: "ImageWidth", 0x0101: "ImageLength", 0x0102: "BitsPerSample",
	0x0103: "Compression", 0x0106: "PhotometricInterpretation", 0x0115: "SamplesPerPixel",
	0x829A: "ExposureTime", 0x829D: "FNumber", 0x8822: "ExposureProgram", 0x8824: "SpectralSensitivity",
	0x8827: "ISOSpeedRatings", 0x8830: "SensitivityType", 0x9000: "ExifVersion",
	0x9003: "DateTimeOriginal", 0x9004: "DateTimeDigitized", 0x9010: "OffsetTime",
	0x9011: "OffsetTimeOriginal", 0x9012: "OffsetTimeDigitized", 0x9101: "ComponentsConfiguration",
	0x9102: "CompressedBitsPerPixel", 0x9201: "ShutterSpeedValue", 0x9202: "ApertureValue",
	0x9203: "BrightnessValue", 0x9204: "ExposureBiasValue", 0x9205: "MaxApertureValue",
	0x9206: "SubjectDistance", 0x9207: "MeteringMode", 0x9208: "LightSource", 0x9209: "Flash",
	0x920A: "FocalLength", 0x9214: "SubjectArea", 0x9286: "UserComment", 0x9290: "SubSecTime",
	0x9291: "SubSecTimeOriginal", 0x9292: "SubSecTimeDigitized", 0xA000: "FlashPixVersion",
	0xA001: "ColorSpace", 0xA002: "ExifImageWidth", 0xA003: "ExifImageLength",
	0xA20E: "FocalPlaneXResolution", 0xA20F: "FocalPlaneYResolution", 0xA210: "FocalPlaneResolutionUnit",
	0xA215: "ExposureIndex", 0xA217: "SensingMethod", 0xA300: "FileSource", 0xA301: "SceneType",
	0xA401: "CustomRendered", 0xA402: "ExposureMode", 0xA403: "WhiteBalance",
	0xA404: "DigitalZoomRatio", 0xA405: "FocalLengthIn35mmFilm", 0xA406: "SceneCaptureType",
	0xA407: "GainControl", 0xA408: "Contrast", 0xA409: "Saturation", 0xA40A: "Sharpness",
	0xA40C: "SubjectDistanceRange", 0xA420: "ImageUniqueID", 0xA430: "CameraOwnerName",
	0xA431: "BodySerialNumber", 0xA432: "LensSpecification", 0xA433: "LensMake", 0xA434: "LensModel",
	0xA435: "LensSerialNumber",
}

// gpsTags names the GPS IFD tags.
var gpsTags = map[uint16]string{
	0x0000: "GPSVersionID", 0x0001: "GPSLatitudeRef", 0x0002: "GPSLatitude", 0x0003: "GPSLongitudeRef",
	0x0004: "GPSLongitude", 0x0005: "GPSAltitudeRef", 0x0006: "GPSAltitude", 0x0007: "GPSTimeStamp",
	0x0008: "GPSSatellites", 0x0009: "GPSStatus", 0x000A: "GPSMeasureMode", 0x000B: "GPSDOP",
	0x000C: "GPSSpeedRef", 0x000D: "GPSSpeed", 0x000E: "GPSTrackRef", 0x000F: "GPSTrack",
	0x0010: "GPSImgDirectionRef", 0x0011: "GPSImgDirection", 0x0012: "GPSMapDatum",
	0x001D: "GPSDateStamp",
}

// iptcNames names the IPTC-IIM application record (2) datasets reported.
var iptcNames = map[byte]string{
	5: "ObjectName", 10: "Urgency", 15: "Category", 20: "SupplementalCategories", 25: "Keywords",
	40: "SpecialInstructions", 55: "DateCreated", 60: "TimeCreated", 80: "By-line", 85: "By-lineTitle",
	90: "City", 92: "Sub-location", 95: "Province-State", 100: "Country-PrimaryLocationCode",
	101: "Country-PrimaryLocationName", 103: "OriginalTransmissionReference", 105: "Headline",
	110: "Credit", 115: "Source", 116: "CopyrightNotice", 118: "Contact", 120: "Caption-Abstract",
	122: "Writer-Editor",
}
